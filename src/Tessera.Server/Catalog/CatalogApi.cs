using Tessera.Catalog;

namespace Tessera.Server.Catalog;

/// <summary><c>GET /v1/catalog/services</c>: the catalog, read-only, for any authenticated caller.</summary>
internal static class CatalogApi
{
    public static IEndpointRouteBuilder MapCatalog(this IEndpointRouteBuilder routes)
    {
        // The catalog never changes while the process runs, so the response is built once.
        CatalogResponse? cached = null;
        routes.MapGet("/v1/catalog/services", (ServiceCatalog catalog) =>
            TypedResults.Json(cached ??= Build(catalog), ServerJsonContext.Relaxed.CatalogResponse, "application/json; charset=utf-8"))
            .RequireAuthorization();
        return routes;
    }

    private static CatalogResponse Build(ServiceCatalog catalog) => new(
        catalog.PlatformRoles.Select(ToResponse).ToArray(),
        catalog.Services.Select(s => new CatalogServiceResponse(
            s.Name, s.DisplayName, s.ResourceTypes,
            s.Plans.Select(p => new CatalogPlanResponse(p.Id, p.Name)).ToArray(),
            s.ServiceRoles.Select(ToResponse).ToArray(),
            s.Authorizations.Select(a => new CatalogAuthorizationResponse(a.SourceService, a.Roles.Select(r => r.Crn).ToArray(), a.ResourceTypes)).ToArray()))
        .ToArray());

    private static CatalogRoleResponse ToResponse(CatalogRole role) => new(role.Name, role.DisplayName, role.Description, role.Crn, role.Actions);
}
