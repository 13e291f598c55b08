using System.Text.Json.Serialization;

namespace Tessera.Catalog;

// The on-disk shape of catalog.json (and of an operator's extension file). Kept apart from the validated
// model so that a typo in the file is reported instead of silently becoming a default.
internal sealed record CatalogDocument(
    [property: JsonPropertyName("platformRoles")] List<CatalogDocumentRole>? PlatformRoles,
    [property: JsonPropertyName("services")] List<CatalogDocumentService>? Services);

internal sealed record CatalogDocumentRole(
    [property: JsonPropertyName("name")] string? Name,
    [property: JsonPropertyName("displayName")] string? DisplayName,
    [property: JsonPropertyName("description")] string? Description,
    [property: JsonPropertyName("crn")] string? Crn,
    [property: JsonPropertyName("actions")] List<string>? Actions);

internal sealed record CatalogDocumentPlan(
    [property: JsonPropertyName("id")] string? Id,
    [property: JsonPropertyName("name")] string? Name);

internal sealed record CatalogDocumentAuthorization(
    [property: JsonPropertyName("source")] string? Source,
    [property: JsonPropertyName("roles")] List<string>? Roles,
    [property: JsonPropertyName("resourceTypes")] List<string>? ResourceTypes);

internal sealed record CatalogDocumentService(
    [property: JsonPropertyName("name")] string? Name,
    [property: JsonPropertyName("displayName")] string? DisplayName,
    [property: JsonPropertyName("resourceTypes")] List<string>? ResourceTypes,
    [property: JsonPropertyName("plans")] List<CatalogDocumentPlan>? Plans,
    [property: JsonPropertyName("roles")] List<CatalogDocumentRole>? Roles,
    [property: JsonPropertyName("authorizations")] List<CatalogDocumentAuthorization>? Authorizations,
    [property: JsonPropertyName("attributes")] List<string>? Attributes = null);

[JsonSourceGenerationOptions(UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow, ReadCommentHandling = System.Text.Json.JsonCommentHandling.Skip, AllowTrailingCommas = true)]
[JsonSerializable(typeof(CatalogDocument))]
internal sealed partial class CatalogJsonContext : JsonSerializerContext;
