using System.Text.Json;
using System.Text.Json.Serialization;
using Tessera.Decisions;
using Tessera.Policies;

namespace Tessera.Benchmarks;

/// <summary>The workload file of <c>shared/bench-workload.md</c>: a role table, v1 authorization policies, and checks with their expected answers.</summary>
public sealed class Workload
{
    [JsonPropertyName("meta")] public Dictionary<string, JsonElement> Meta { get; set; } = [];
    [JsonPropertyName("roles")] public Dictionary<string, string[]> Roles { get; set; } = [];
    [JsonPropertyName("policies")] public List<WorkloadPolicy> Policies { get; set; } = [];
    [JsonPropertyName("checks")] public List<WorkloadCheck> Checks { get; set; } = [];

    public static Workload Read(string path)
    {
        using var stream = File.OpenRead(path);
        return JsonSerializer.Deserialize(stream, WorkloadJson.Default.Workload) ?? throw new InvalidDataException($"{path} is empty");
    }

    public void Write(string path)
    {
        using var stream = File.Create(path);
        JsonSerializer.Serialize(stream, this, WorkloadJson.Default.Workload);
    }

    public TableRoleActions RoleActions() => new(Roles.ToDictionary(r => r.Key, r => (IReadOnlyList<string>)r.Value));

    /// <summary>The policies in Tessera's internal form, ready for the index.</summary>
    public IEnumerable<Policy> ToPolicies() => Policies.Select((p, i) => new Policy
    {
        Id = $"p{i}",
        Type = PolicyType.Authorization,
        AccountId = p.Resources[0].Attributes.First(a => a.Name == "accountId").Value,
        Subject = p.Subjects[0].Attributes.Select(ToConstraint).ToArray(),
        Roles = p.Roles.Select(r => r.RoleId).ToArray(),
        Resource = p.Resources[0].Attributes.Select(ToConstraint).ToArray(),
        CreatedAt = DateTimeOffset.UnixEpoch,
        CreatedById = "bench",
        LastModifiedAt = DateTimeOffset.UnixEpoch,
        LastModifiedById = "bench",
    });

    private static AttributeConstraint ToConstraint(WorkloadConstraint a) => new(a.Name, a.Value, AttributeOperator.StringEquals, a.Operator is not null);
}

public sealed record WorkloadPolicy(
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("subjects")] WorkloadAttributes[] Subjects,
    [property: JsonPropertyName("roles")] WorkloadRole[] Roles,
    [property: JsonPropertyName("resources")] WorkloadAttributes[] Resources);

public sealed record WorkloadAttributes([property: JsonPropertyName("attributes")] WorkloadConstraint[] Attributes);

public sealed record WorkloadConstraint(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("value")] string Value,
    [property: JsonPropertyName("operator"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Operator = null);

public sealed record WorkloadRole([property: JsonPropertyName("role_id")] string RoleId);

public sealed record WorkloadCheck(
    [property: JsonPropertyName("subject")] Dictionary<string, string> Subject,
    [property: JsonPropertyName("action")] string Action,
    [property: JsonPropertyName("resource")] Dictionary<string, string> Resource,
    [property: JsonPropertyName("expect")] bool Expect)
{
    /// <summary>
    /// The check as a request whose strings are fresh copies. A server parses each request into new strings that
    /// are hot in cache; strings left where the workload parser put them, among a million policies' strings, would
    /// make every read of the request a cache miss that no real request pays.
    /// </summary>
    public DecisionRequest ToRequest() => new(ToAttributes(Subject), Copy(Action)!, ToAttributes(Resource));

    private static Attributes ToAttributes(Dictionary<string, string> values) => new(
        Copy(values.GetValueOrDefault("accountId")), Copy(values.GetValueOrDefault("serviceName")), Copy(values.GetValueOrDefault("serviceInstance")),
        Copy(values.GetValueOrDefault("resourceGroupId")), Copy(values.GetValueOrDefault("resourceType")), Copy(values.GetValueOrDefault("resource")),
        Copy(values.GetValueOrDefault("region")));

    private static string? Copy(string? value) => value is null ? null : new string(value.AsSpan());
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(Workload))]
internal sealed partial class WorkloadJson : JsonSerializerContext;
