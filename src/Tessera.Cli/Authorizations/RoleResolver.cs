using Tessera.Client;
using Tessera.Client.Models;

namespace Tessera.Cli.Authorizations;

/// <summary>
/// Role names → roles, through <c>/v2/roles</c> as Terraform resolves them: for an authorization, the roles one source →
/// target pair supports; for an access policy, the service's roles and the platform roles. A name matches a role's
/// display name or the last part of its CRN, in any case (<c>"Object Writer"</c>, <c>objectwriter</c>); a CRN is taken
/// as it is. A name that is not offered is an error that lists what is.
/// </summary>
internal sealed class RoleResolver(TesseraClient client, string accountId)
{
    private readonly Dictionary<(string? Source, string? Target, string Type), Role[]> _offers = [];

    public Task<IReadOnlyList<Role>> ForAuthorizationAsync(string? sourceService, string targetService, IReadOnlyList<string> names,
        CancellationToken cancellationToken) =>
        ResolveAsync(sourceService, targetService, PolicyTypes.Authorization, names,
            $"is not one an authorization from {sourceService ?? "that source"} to {targetService} can grant", cancellationToken);

    public Task<IReadOnlyList<Role>> ForAccessAsync(string? service, IReadOnlyList<string> names, CancellationToken cancellationToken) =>
        ResolveAsync(null, service, PolicyTypes.Access, names, service is null ? "is not a platform role" : $"is not a role of {service}",
            cancellationToken);

    private async Task<IReadOnlyList<Role>> ResolveAsync(string? source, string? target, string type, IReadOnlyList<string> names, string notOffered,
        CancellationToken cancellationToken)
    {
        if (!_offers.TryGetValue((source, target, type), out var offered))
        {
            var roles = await client.ListRolesAsync(target, source, target is null ? null : type, accountId, cancellationToken);
            _offers[(source, target, type)] = offered = [.. roles.All];
        }
        return [.. names.Select(name => Match(offered, name.Trim()) ?? throw new CliException(
            $"Role '{name.Trim()}' {notOffered}. " +
            (offered.Length == 0 ? "None is offered there." : $"Valid roles: {string.Join(", ", offered.Select(r => r.DisplayName))}.")))];
    }

    private static Role? Match(Role[] offered, string name) =>
        offered.FirstOrDefault(r => r.Crn == name)
        ?? offered.FirstOrDefault(r => string.Equals(r.DisplayName, name, StringComparison.OrdinalIgnoreCase))
        ?? offered.FirstOrDefault(r => string.Equals(r.Crn[(r.Crn.LastIndexOf(':') + 1)..], name.Replace(" ", "", StringComparison.Ordinal),
            StringComparison.OrdinalIgnoreCase));
}
