using Tessera.Client;
using Tessera.Client.Models;

namespace Tessera.Cli.Commands;

/// <summary>Finding users, service IDs and access groups by what a person types: a name (or email) or an id.</summary>
internal static class Identities
{
    public static async Task<User> UserAsync(TesseraClient client, string accountId, string emailOrIamId, CancellationToken cancellationToken) =>
        (await client.ListUsersAsync(accountId, cancellationToken)).FirstOrDefault(u =>
            string.Equals(u.Email, emailOrIamId, StringComparison.OrdinalIgnoreCase) || u.IamId == emailOrIamId)
        ?? throw new CliException($"No user '{emailOrIamId}' in account {accountId}.");

    public static async Task<ServiceId> ServiceIdAsync(TesseraClient client, string accountId, string nameOrId, CancellationToken cancellationToken)
    {
        if (nameOrId.StartsWith("ServiceId-", StringComparison.Ordinal) || nameOrId.StartsWith("iam-ServiceId-", StringComparison.Ordinal))
            return await client.GetServiceIdAsync(nameOrId, cancellationToken);
        return One(await client.ListServiceIdsAsync(accountId, nameOrId, cancellationToken).ToListAsync(cancellationToken), nameOrId, "service ID", s => s.Id);
    }

    public static async Task<AccessGroup> AccessGroupAsync(TesseraClient client, string accountId, string nameOrId, CancellationToken cancellationToken) =>
        nameOrId.StartsWith("AccessGroupId-", StringComparison.Ordinal)
            ? await client.GetAccessGroupAsync(nameOrId, cancellationToken)
            : One([.. (await client.ListAccessGroupsAsync(accountId, cancellationToken)).Where(g => g.Name == nameOrId)], nameOrId, "access group", g => g.Id);

    /// <summary>The one item named <paramref name="name"/>; none or several is an error that says which ids to choose from.</summary>
    public static T One<T>(IReadOnlyList<T> named, string name, string kind, Func<T, string> id) => named.Count switch
    {
        1 => named[0],
        0 => throw new CliException($"No {kind} named '{name}'."),
        _ => throw new CliException($"{named.Count} {kind}s are named '{name}' ({string.Join(", ", named.Select(id))}); name one by its ID."),
    };
}
