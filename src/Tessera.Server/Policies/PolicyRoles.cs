using Tessera.Catalog;
using Tessera.Policies;

namespace Tessera.Server.Policies;

/// <summary>How both views name a policy's roles: through the catalog of the policy's target service.</summary>
internal static class PolicyRoles
{
    /// <summary>The catalog's role for a CRN the policy grants, on its target service; null when the catalog no longer has it.</summary>
    public static CatalogRole? Find(Policy policy, string roleId, ServiceCatalog catalog) =>
        policy.ResourceValue(AttributeNames.ServiceName) is { } name && catalog.FindService(name) is { } target
            ? catalog.ResolveRole(target, roleId)
            : catalog.Services.Select(s => catalog.ResolveRole(s, roleId)).FirstOrDefault(r => r is not null);

    /// <summary>
    /// A role's display name and description. A role the catalog no longer has (an operator removed it) still shows,
    /// named by the last part of its CRN: Terraform needs a display name.
    /// </summary>
    public static (string DisplayName, string Description) Names(CatalogRole? role, string roleId) =>
        role is null ? (roleId[(roleId.LastIndexOf(':') + 1)..], string.Empty) : (role.DisplayName, role.Description);
}
