using Tessera.Catalog;

namespace Tessera.Decisions;

/// <summary>What a role CRN lets its holder do on a target service. The catalog answers in the server; a workload's own table in benchmarks.</summary>
public interface IRoleActions
{
    IReadOnlyList<string>? ActionsOf(string roleCrn, string targetService);
}

public sealed class CatalogRoleActions(ServiceCatalog catalog) : IRoleActions
{
    public IReadOnlyList<string>? ActionsOf(string roleCrn, string targetService) =>
        catalog.FindService(targetService) is { } service ? catalog.ResolveRole(service, roleCrn)?.Actions : null;
}

/// <summary>A fixed table of role CRN → actions, the same for every target (the benchmark workloads' "roles").</summary>
public sealed class TableRoleActions(IReadOnlyDictionary<string, IReadOnlyList<string>> table) : IRoleActions
{
    public IReadOnlyList<string>? ActionsOf(string roleCrn, string targetService) => table.GetValueOrDefault(roleCrn);
}
