using Tessera.Catalog;

namespace Tessera.Decisions;

/// <summary>What a role CRN lets its holder do on a target service. The catalog answers in the server; a workload's own table in benchmarks.</summary>
public interface IRoleActions
{
    IReadOnlyList<string>? ActionsOf(string roleCrn, string targetService);
}

/// <summary>
/// The catalog's answer. An empty target service means "every service in the account" (an access policy that names
/// no service): the role then carries its actions on every service that defines it.
/// </summary>
public sealed class CatalogRoleActions(ServiceCatalog catalog) : IRoleActions
{
    public IReadOnlyList<string>? ActionsOf(string roleCrn, string targetService)
    {
        if (targetService.Length > 0)
            return catalog.FindService(targetService) is { } service ? catalog.ResolveRole(service, roleCrn)?.Actions : null;
        var actions = catalog.Services.SelectMany(s => catalog.ResolveRole(s, roleCrn)?.Actions ?? []).Distinct(StringComparer.Ordinal).ToList();
        return actions.Count == 0 ? null : actions;
    }
}

/// <summary>A fixed table of role CRN → actions, the same for every target (the benchmark workloads' "roles").</summary>
public sealed class TableRoleActions(IReadOnlyDictionary<string, IReadOnlyList<string>> table) : IRoleActions
{
    public IReadOnlyList<string>? ActionsOf(string roleCrn, string targetService) => table.GetValueOrDefault(roleCrn);
}
