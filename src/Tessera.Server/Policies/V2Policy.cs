using System.Text.Json;
using System.Text.Json.Serialization;

namespace Tessera.Server.Policies;

// The v2 wire view of a policy (reference/ibm-iam-api.md §2.4). Field order follows IBM's responses; every attribute
// carries its operator (Terraform's provider dereferences it unchecked).

internal sealed record V2Policy(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("description"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Description,
    [property: JsonPropertyName("subject")] V2AttributeList Subject,
    [property: JsonPropertyName("resource")] V2AttributeList Resource,
    [property: JsonPropertyName("pattern"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Pattern,
    [property: JsonPropertyName("rule"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] V2Rule? Rule,
    [property: JsonPropertyName("control")] V2Control Control,
    // IBM's own v2 objects point at /v1/policies/{id}: one policy, two views.
    [property: JsonPropertyName("href")] string Href,
    [property: JsonPropertyName("created_at")] string CreatedAt,
    [property: JsonPropertyName("created_by_id")] string CreatedById,
    [property: JsonPropertyName("last_modified_at")] string LastModifiedAt,
    [property: JsonPropertyName("last_modified_by_id")] string LastModifiedById,
    [property: JsonPropertyName("state")] string State,
    [property: JsonPropertyName("last_permit_at"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? LastPermitAt = null,
    [property: JsonPropertyName("last_permit_frequency"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? LastPermitFrequency = null);

/// <summary>Policies created together (<c>POST /v2/policies/batch</c>).</summary>
internal sealed record V2PolicyBatch([property: JsonPropertyName("policies")] IReadOnlyList<V2Policy> Policies);

internal sealed record V2AttributeList(
    [property: JsonPropertyName("attributes")] IReadOnlyList<V2Attribute> Attributes);

internal sealed record V2Attribute(
    [property: JsonPropertyName("key")] string Key,
    [property: JsonPropertyName("operator")] string Operator,
    [property: JsonPropertyName("value")] V2Value Value);

/// <summary>A rule: one condition (<c>key</c>, <c>operator</c>, <c>value</c>) or conditions joined by <c>and</c> / <c>or</c>.</summary>
internal sealed record V2Rule(
    [property: JsonPropertyName("key"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Key,
    [property: JsonPropertyName("operator")] string Operator,
    [property: JsonPropertyName("value"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] V2Value? Value,
    [property: JsonPropertyName("conditions"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<V2Rule>? Conditions);

internal sealed record V2Control(
    [property: JsonPropertyName("grant")] V2Grant Grant);

internal sealed record V2Grant(
    [property: JsonPropertyName("roles")] IReadOnlyList<V2Role> Roles);

/// <summary>A granted role: its id only, or with <c>format=display</c> its name, description and actions too.</summary>
internal sealed record V2Role(
    [property: JsonPropertyName("role_id")] string RoleId,
    [property: JsonPropertyName("display_name"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? DisplayName = null,
    [property: JsonPropertyName("description"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Description = null,
    [property: JsonPropertyName("actions"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<V2RoleAction>? Actions = null);

internal sealed record V2RoleAction(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("display_name")] string DisplayName,
    [property: JsonPropertyName("description")] string Description);

/// <summary>A v2 value as IBM writes it: a string, a boolean (<c>stringExists</c>) or a list of strings (the any-of operators).</summary>
[JsonConverter(typeof(V2ValueConverter))]
internal sealed record V2Value(string? Text, bool? Flag, IReadOnlyList<string>? List)
{
    public static V2Value Of(string text) => new(text, null, null);

    public static V2Value Of(bool flag) => new(null, flag, null);

    public static V2Value Of(IReadOnlyList<string> list) => new(null, null, list);
}

internal sealed class V2ValueConverter : JsonConverter<V2Value>
{
    // Reading goes through JsonShape (with paths in its errors); this converter only writes.
    public override V2Value Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        throw new NotSupportedException("v2 values are read by V2PolicyMapper");

    public override void Write(Utf8JsonWriter writer, V2Value value, JsonSerializerOptions options)
    {
        if (value.Flag is { } flag)
        {
            writer.WriteBooleanValue(flag);
        }
        else if (value.List is { } list)
        {
            writer.WriteStartArray();
            foreach (var item in list)
                writer.WriteStringValue(item);
            writer.WriteEndArray();
        }
        else
        {
            writer.WriteStringValue(value.Text);
        }
    }
}
