using Tessera.Catalog;
using Tessera.Model;
using Tessera.Policies;

namespace Tessera.Server.WebConsole;

/// <summary>An authorization in words, as the Authorizations page and its details show it.</summary>
public sealed record AuthorizationText(string Id, string SourceService, string SourceScope, string TargetService, string TargetScope,
    IReadOnlyList<CatalogRole> Roles, string SourceAccount, string CreatedBy, bool Delegated)
{
    public static AuthorizationText Of(Policy policy, ServiceCatalog catalog, AccountNames names, string callerAccount)
    {
        if (policy.Type == PolicyType.Access)
            return OfAccess(policy, catalog, names);
        var sourceName = policy.SubjectValue(AttributeNames.ServiceName);
        var targetName = policy.ResourceValue(AttributeNames.ServiceName);
        var target = catalog.FindService(targetName ?? Crn.ResourceController);
        var sourceAccount = policy.SubjectValue(AttributeNames.AccountId);
        var foreign = sourceAccount != callerAccount;
        return new AuthorizationText(
            policy.Id,
            sourceName is null ? "All services in a resource group" : ServiceName(catalog, sourceName),
            Scope(policy.Subject, names, foreign, "All resources"),
            targetName is null ? "Resource group" : ServiceName(catalog, targetName),
            Scope(policy.Resource, names, false, "All instances"),
            policy.Roles.Select(crn => target is null ? null : catalog.ResolveRole(target, crn)).OfType<CatalogRole>().ToList(),
            foreign ? sourceAccount ?? "(none)" : "This account",
            names.Identity(policy.CreatedById),
            policy.CreatedById.StartsWith("crn:", StringComparison.Ordinal));
    }

    /// <summary>An access policy in the same words: its subject (a user, service ID or access group) in the source's place.</summary>
    private static AuthorizationText OfAccess(Policy policy, ServiceCatalog catalog, AccountNames names)
    {
        var subject = policy.SubjectValue(AttributeNames.IamId) ?? policy.SubjectValue(AttributeNames.AccessGroupId) ?? string.Empty;
        var targetName = policy.ResourceValue(AttributeNames.ServiceName);
        var target = targetName is null ? null : catalog.FindService(targetName);
        return new AuthorizationText(policy.Id, names.Identity(subject), "Access policy",
            targetName is null ? "All services" : ServiceName(catalog, targetName), Scope(policy.Resource, names, false, "All instances"),
            policy.Roles.Select(crn => target is null ? catalog.PlatformRoles.FirstOrDefault(r => r.Crn == crn) : catalog.ResolveRole(target, crn))
                .OfType<CatalogRole>().ToList(),
            "This account", names.Identity(policy.CreatedById), Delegated: false);
    }

    public string RoleNames => string.Join(", ", Roles.Select(r => r.DisplayName));

    /// <summary>What the authorization lets the source do: every action of its roles.</summary>
    public IReadOnlyList<string> Actions => Roles.SelectMany(r => r.Actions).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();

    public static string ServiceName(ServiceCatalog catalog, string name) => catalog.FindService(name)?.DisplayName ?? name;

    /// <summary>
    /// One side's scope: the instance (with the resource type and resource inside it), the resource group, or every
    /// instance. Another account's instances and groups cannot be named here, so they are shown by their ids.
    /// </summary>
    private static string Scope(IReadOnlyList<AttributeConstraint> side, AccountNames names, bool foreign, string everything)
    {
        string? Value(string name) => side.FirstOrDefault(a => a.Name == name && a.Operator == AttributeOperator.StringEquals)?.Value;
        var parts = new List<string>();
        if (Value(AttributeNames.ServiceInstance) is { } instance)
            parts.Add($"Instance {(foreign ? instance : names.Instance(instance))}");
        if (Value(AttributeNames.ResourceGroupId) is { } group)
            parts.Add($"Resource group {(foreign ? group : names.Group(group))}");
        if (Value(AttributeNames.ResourceType) == Crn.ResourceGroupType && Value(AttributeNames.Resource) is { } named)
            parts.Add($"Resource group {names.Group(named)}");
        else if (Value(AttributeNames.ResourceType) is { } type)
            parts.Add(Value(AttributeNames.Resource) is { } resource ? $"{type} {resource}" : $"every {type}");
        if (Value(AttributeNames.Region) is { } region)
            parts.Add($"in {region}");
        return parts.Count == 0 ? everything : string.Join(", ", parts);
    }
}
