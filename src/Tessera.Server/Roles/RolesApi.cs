using Microsoft.AspNetCore.Http.HttpResults;
using Tessera.Server.Http;
using Tessera.Catalog;
using Tessera.Errors;
using Tessera.Server.Errors;

namespace Tessera.Server.Roles;

/// <summary>
/// <c>GET /v2/roles</c>: the roles of a service, or, with <c>source_service_name</c> and <c>policy_type=authorization</c>,
/// exactly the roles that pair supports (R4). An unknown service or an unsupported pair is a 404 that says what would
/// work (see <see cref="ServiceCatalog.RolesFor"/>).
/// </summary>
internal static class RolesApi
{
    public static IEndpointRouteBuilder MapRoles(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/v2/roles", ListRoles).RequireAuthorization();
        return routes;
    }

    private static Results<JsonHttpResult<RoleCollection>, IbmError> ListRoles(HttpContext context, ServiceCatalog catalog)
    {
        var query = context.Request.Query;
        var serviceName = query["service_name"].ToString();
        var sourceName = query["source_service_name"].ToString();
        var policyType = query["policy_type"].ToString();
        if (policyType is not ("" or "authorization" or "access"))
        {
            return ApiResults.InvalidQuery("policy_type", policyType, "'access' or 'authorization'");
        }
        if (sourceName.Length > 0 && serviceName.Length == 0)
        {
            return ErrorResults.Create(StatusCodes.Status400BadRequest, ErrorCodes.MissingRequiredQueryParameter,
                "the query parameter 'service_name' (the target) is required with 'source_service_name'");
        }

        var roles = catalog.RolesFor(ApiResults.Query(context, "service_name"), ApiResults.Query(context, "source_service_name"),
            policyType == "authorization" || sourceName.Length > 0, out var error);
        if (error is not null)
            return ErrorResults.Create(error.Status, error.Code, error.Message);
        var wire = roles.Select(r => new WireRole(r.DisplayName, r.Description, r.Actions, r.Crn)).ToArray();
        var isPlatform = roles.Select(r => r.IsPlatformRole).ToArray();
        return ApiResults.Json(new RoleCollection([], wire.Where((_, i) => !isPlatform[i]).ToArray(), wire.Where((_, i) => isPlatform[i]).ToArray()));
    }
}
