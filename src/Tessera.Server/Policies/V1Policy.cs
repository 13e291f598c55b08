using System.Text.Json.Serialization;

namespace Tessera.Server.Policies;

// The v1 wire view of a policy (reference/ibm-iam-api.md §2.2). Field order follows IBM's responses.

internal sealed record V1Policy(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("description"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Description,
    [property: JsonPropertyName("subjects")] IReadOnlyList<V1AttributeList> Subjects,
    [property: JsonPropertyName("roles")] IReadOnlyList<V1Role> Roles,
    [property: JsonPropertyName("resources")] IReadOnlyList<V1AttributeList> Resources,
    [property: JsonPropertyName("pattern"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Pattern,
    [property: JsonPropertyName("rule"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] V2Rule? Rule,
    [property: JsonPropertyName("href")] string Href,
    [property: JsonPropertyName("created_at")] string CreatedAt,
    [property: JsonPropertyName("created_by_id")] string CreatedById,
    [property: JsonPropertyName("last_modified_at")] string LastModifiedAt,
    [property: JsonPropertyName("last_modified_by_id")] string LastModifiedById,
    [property: JsonPropertyName("state")] string State,
    [property: JsonPropertyName("last_permit_at"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? LastPermitAt = null,
    [property: JsonPropertyName("last_permit_frequency"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? LastPermitFrequency = null);

internal sealed record V1AttributeList(
    [property: JsonPropertyName("attributes")] IReadOnlyList<V1Attribute> Attributes);

internal sealed record V1Attribute(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("value")] string Value,
    [property: JsonPropertyName("operator"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Operator);

internal sealed record V1Role(
    [property: JsonPropertyName("role_id")] string RoleId,
    [property: JsonPropertyName("display_name")] string DisplayName,
    [property: JsonPropertyName("description")] string Description);

/// <summary>A page of policies in either view (<see cref="V1Policy"/> or <see cref="V2Policy"/>); SDK pagers follow <c>next.start</c>.</summary>
internal sealed record PolicyList<TPolicy>(
    [property: JsonPropertyName("limit")] int Limit,
    [property: JsonPropertyName("first")] PageLink First,
    [property: JsonPropertyName("next"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] PageLink? Next,
    [property: JsonPropertyName("policies")] IReadOnlyList<TPolicy> Policies);

internal sealed record PageLink(
    [property: JsonPropertyName("href")] string Href,
    [property: JsonPropertyName("start"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Start = null);
