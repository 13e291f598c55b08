using System.Text.Json;
using System.Text.Json.Serialization;
using Tessera.Policies;

namespace Tessera.Storage;

/// <summary>
/// The JSON column a store keeps a policy's content in (description, subject, roles, resource, and a v2 policy's pattern
/// and rule). Shared by every store so that a SQLite file and a PostgreSQL database hold the same bytes; the v2 fields are
/// written only when set, so that a policy without them keeps the bytes it had before they existed.
/// </summary>
public static class PolicyBodyCodec
{
    public static string Serialize(Policy policy) => JsonSerializer.Serialize(
        new PolicyBody(policy.Description, ToStored(policy.Subject), policy.Roles, ToStored(policy.Resource), policy.Pattern,
            policy.Rule is null ? null : ToStored(policy.Rule)),
        PolicyBodyJsonContext.Default.PolicyBody);

    /// <summary>Reads a body written by <see cref="Serialize"/> back into a policy's content fields.</summary>
    public static PolicyContent Deserialize(string json)
    {
        var body = JsonSerializer.Deserialize(json, PolicyBodyJsonContext.Default.PolicyBody)
            ?? throw new InvalidOperationException("a stored policy body is null");
        return new PolicyContent(body.Description, FromStored(body.Subject), body.Roles, FromStored(body.Resource), body.Pattern,
            body.Rule is null ? null : FromStored(body.Rule));
    }

    private static StoredAttribute[] ToStored(IReadOnlyList<AttributeConstraint> attributes) =>
        attributes.Select(a => new StoredAttribute(a.Name, a.Value, a.Operator.ToWire(), a.OperatorGiven, a.Operator.TakesList() ? a.Values : null)).ToArray();

    private static AttributeConstraint[] FromStored(IReadOnlyList<StoredAttribute> attributes) =>
        attributes.Select(a =>
        {
            var op = AttributeOperators.TryParse(a.Operator, out var parsed) ? parsed : throw new InvalidOperationException($"stored operator '{a.Operator}' is unknown");
            return new AttributeConstraint(a.Name, a.Value, op, a.OperatorGiven) { Values = a.Values ?? [] };
        }).ToArray();

    private static StoredRule ToStored(PolicyRule rule) => rule switch
    {
        RuleCondition c => new StoredRule(c.Key, c.Operator.ToWire(), c.Values, c.ValueIsList, null),
        RuleCombination c => new StoredRule(null, c.All ? "and" : "or", null, false, c.Conditions.Select(ToStored).ToArray()),
        _ => throw new ArgumentOutOfRangeException(nameof(rule)),
    };

    private static PolicyRule FromStored(StoredRule rule) => rule.Conditions is { } conditions
        ? new RuleCombination(rule.Operator == "and", conditions.Select(FromStored).ToArray())
        : new RuleCondition(rule.Key!, RuleOperators.TryParse(rule.Operator, out var op) ? op : throw new InvalidOperationException($"stored rule operator '{rule.Operator}' is unknown"),
            rule.Values ?? [], rule.ValueIsList);
}

/// <summary>A policy's content as its store body holds it.</summary>
public sealed record PolicyContent(
    string? Description,
    IReadOnlyList<AttributeConstraint> Subject,
    IReadOnlyList<string> Roles,
    IReadOnlyList<AttributeConstraint> Resource,
    string? Pattern,
    PolicyRule? Rule);

internal sealed record PolicyBody(
    [property: JsonPropertyName("description")] string? Description,
    [property: JsonPropertyName("subject")] IReadOnlyList<StoredAttribute> Subject,
    [property: JsonPropertyName("roles")] IReadOnlyList<string> Roles,
    [property: JsonPropertyName("resource")] IReadOnlyList<StoredAttribute> Resource,
    [property: JsonPropertyName("pattern")] string? Pattern = null,
    [property: JsonPropertyName("rule")] StoredRule? Rule = null);

internal sealed record StoredAttribute(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("value")] string Value,
    [property: JsonPropertyName("operator")] string Operator,
    [property: JsonPropertyName("operatorGiven")] bool OperatorGiven,
    [property: JsonPropertyName("values")] IReadOnlyList<string>? Values = null);

internal sealed record StoredRule(
    [property: JsonPropertyName("key")] string? Key,
    [property: JsonPropertyName("operator")] string Operator,
    [property: JsonPropertyName("values")] IReadOnlyList<string>? Values,
    [property: JsonPropertyName("valueIsList"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] bool ValueIsList,
    [property: JsonPropertyName("conditions")] IReadOnlyList<StoredRule>? Conditions);

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(PolicyBody))]
internal sealed partial class PolicyBodyJsonContext : JsonSerializerContext;
