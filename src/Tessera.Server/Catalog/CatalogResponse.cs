using System.Text.Json.Serialization;

namespace Tessera.Server.Catalog;

internal sealed record CatalogResponse(
    [property: JsonPropertyName("platform_roles")] IReadOnlyList<CatalogRoleResponse> PlatformRoles,
    [property: JsonPropertyName("services")] IReadOnlyList<CatalogServiceResponse> Services);

internal sealed record CatalogServiceResponse(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("display_name")] string DisplayName,
    [property: JsonPropertyName("resource_types")] IReadOnlyList<string> ResourceTypes,
    [property: JsonPropertyName("plans")] IReadOnlyList<CatalogPlanResponse> Plans,
    [property: JsonPropertyName("roles")] IReadOnlyList<CatalogRoleResponse> Roles,
    [property: JsonPropertyName("supported_authorizations")] IReadOnlyList<CatalogAuthorizationResponse> SupportedAuthorizations);

internal sealed record CatalogPlanResponse(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("name")] string Name);

internal sealed record CatalogRoleResponse(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("display_name")] string DisplayName,
    [property: JsonPropertyName("description")] string Description,
    [property: JsonPropertyName("crn")] string Crn,
    [property: JsonPropertyName("actions")] IReadOnlyList<string> Actions);

internal sealed record CatalogAuthorizationResponse(
    [property: JsonPropertyName("source_service_name")] string SourceServiceName,
    [property: JsonPropertyName("roles")] IReadOnlyList<string> Roles,
    [property: JsonPropertyName("resource_types")] IReadOnlyList<string> ResourceTypes);
