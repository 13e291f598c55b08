using System.Text.Json;
using System.Text.Json.Serialization;
using Tessera.Policies;

namespace Tessera.Storage;

/// <summary>
/// The JSON column a store keeps a policy's content in (description, subject, roles, resource). Shared by every
/// store so that a SQLite file and a PostgreSQL database hold the same bytes.
/// </summary>
public static class PolicyBodyCodec
{
    public static string Serialize(Policy policy) => JsonSerializer.Serialize(
        new PolicyBody(policy.Description, ToStored(policy.Subject), policy.Roles, ToStored(policy.Resource)),
        PolicyBodyJsonContext.Default.PolicyBody);

    /// <summary>Reads a body written by <see cref="Serialize"/> back into the policy's content fields.</summary>
    public static (string? Description, IReadOnlyList<AttributeConstraint> Subject, IReadOnlyList<string> Roles, IReadOnlyList<AttributeConstraint> Resource)
        Deserialize(string json)
    {
        var body = JsonSerializer.Deserialize(json, PolicyBodyJsonContext.Default.PolicyBody)
            ?? throw new InvalidOperationException("a stored policy body is null");
        return (body.Description, FromStored(body.Subject), body.Roles, FromStored(body.Resource));
    }

    private static StoredAttribute[] ToStored(IReadOnlyList<AttributeConstraint> attributes) =>
        attributes.Select(a => new StoredAttribute(a.Name, a.Value, a.Operator.ToWire(), a.OperatorGiven)).ToArray();

    private static AttributeConstraint[] FromStored(IReadOnlyList<StoredAttribute> attributes) =>
        attributes.Select(a => new AttributeConstraint(
            a.Name, a.Value,
            AttributeOperators.TryParse(a.Operator, out var op) ? op : throw new InvalidOperationException($"stored operator '{a.Operator}' is unknown"),
            a.OperatorGiven)).ToArray();
}

internal sealed record PolicyBody(
    [property: JsonPropertyName("description")] string? Description,
    [property: JsonPropertyName("subject")] IReadOnlyList<StoredAttribute> Subject,
    [property: JsonPropertyName("roles")] IReadOnlyList<string> Roles,
    [property: JsonPropertyName("resource")] IReadOnlyList<StoredAttribute> Resource);

internal sealed record StoredAttribute(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("value")] string Value,
    [property: JsonPropertyName("operator")] string Operator,
    [property: JsonPropertyName("operatorGiven")] bool OperatorGiven);

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(PolicyBody))]
internal sealed partial class PolicyBodyJsonContext : JsonSerializerContext;
