namespace Tessera.Catalog;

public sealed record CatalogService(
    string Name,
    string DisplayName,
    IReadOnlyList<string> ResourceTypes,
    IReadOnlyList<CatalogPlan> Plans,
    IReadOnlyList<CatalogRole> ServiceRoles,
    IReadOnlyList<SupportedAuthorization> Authorizations)
{
    /// <summary>
    /// Attributes the service defines for its own policies beyond the standard ones (IBM's service-defined attributes,
    /// e.g. a backup policy's <c>volumeId</c>): its policies may constrain them, and decisions read them from the
    /// request's properties.
    /// </summary>
    public IReadOnlyList<string> Attributes { get; init; } = [];

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
