using System.Text.Json;
using System.Text.Json.Serialization;

namespace Tessera.Client.Models;

/// <summary>An AuthZEN subject or resource: a type, an id (a CRN, an iam_id, a token) and any properties.</summary>
public sealed record AuthZenEntity : ApiObject
{
    public required string Type { get; init; }
    public string? Id { get; init; }
    public IReadOnlyDictionary<string, JsonElement>? Properties { get; init; }

    /// <summary>A service instance, named by its CRN, as a subject.</summary>
    public static AuthZenEntity Service(string crn) => new() { Type = "service", Id = crn };
}

public sealed record AuthZenAction : ApiObject
{
    public required string Name { get; init; }
    public IReadOnlyDictionary<string, JsonElement>? Properties { get; init; }
}

/// <summary>One question: may <see cref="Subject"/> do <see cref="Action"/> on <see cref="Resource"/>?</summary>
public sealed record EvaluationRequest(AuthZenEntity Subject, AuthZenAction Action, AuthZenEntity Resource)
{
    public DecisionRequestContext? Context { get; init; }
}

public sealed record DecisionRequestContext
{
    /// <summary>Ask for the closest policies and what did not match (callers who may read the account's policies).</summary>
    public bool? Explain { get; init; }
    public string? ConsistencyToken { get; init; }
}

/// <summary>Many questions at once: the top-level fields are defaults each item may override.</summary>
public sealed record EvaluationsRequest(IReadOnlyList<EvaluationItem> Evaluations)
{
    public AuthZenEntity? Subject { get; init; }
    public AuthZenAction? Action { get; init; }
    public AuthZenEntity? Resource { get; init; }
    public DecisionRequestContext? Context { get; init; }
    /// <summary><c>execute_all</c> (the default), <c>deny_on_first_deny</c> or <c>permit_on_first_permit</c>.</summary>
    [JsonIgnore]
    public string? Semantic { get; init; }
    public IReadOnlyDictionary<string, string>? Options => Semantic is null ? null : new Dictionary<string, string> { ["evaluations_semantic"] = Semantic };
}

public sealed record EvaluationItem
{
    public AuthZenEntity? Subject { get; init; }
    public AuthZenAction? Action { get; init; }
    public AuthZenEntity? Resource { get; init; }
}

/// <summary>A decision; <see cref="Context"/> says why, to callers who may see it.</summary>
public sealed record Decision : ApiObject
{
    [JsonPropertyName("decision")]
    public bool Value { get; init; }
    public DecisionContext? Context { get; init; }
}

public sealed record DecisionContext : ApiObject
{
    public IReadOnlyList<string>? PolicyIds { get; init; }
    public string? Reason { get; init; }
    public string? ReasonCode { get; init; }
    public JsonElement? Explanation { get; init; }
    public JsonElement? Error { get; init; }
}

public sealed record Evaluations : ApiObject
{
    [JsonPropertyName("evaluations")]
    public required IReadOnlyList<Decision> Items { get; init; }
}

/// <summary>A search: the one of subject, resource or action left without an id (or name) is what is searched for.</summary>
public sealed record SearchRequest
{
    public AuthZenEntity? Subject { get; init; }
    public AuthZenAction? Action { get; init; }
    public AuthZenEntity? Resource { get; init; }
    public SearchPageRequest? Page { get; init; }
}

public sealed record SearchPageRequest(string? Token, int? Limit = null);

public sealed record SearchPage : ApiObject
{
    public required IReadOnlyList<JsonElement> Results { get; init; }
    public SearchNextPage? Page { get; init; }
}

public sealed record SearchNextPage : ApiObject
{
    public string? NextToken { get; init; }
}
