namespace Tessera.Catalog;

public sealed record CatalogService(
    string Name,
    string DisplayName,
    IReadOnlyList<string> ResourceTypes,
    IReadOnlyList<CatalogPlan> Plans,
    IReadOnlyList<CatalogRole> ServiceRoles,
    IReadOnlyList<SupportedAuthorization> Authorizations)
{
    public SupportedAuthorization? FindAuthorizationFrom(string sourceService)
    {
        foreach (var authorization in Authorizations)
        {
            if (authorization.SourceService == sourceService)
                return authorization;
        }
        return null;
    }
}
