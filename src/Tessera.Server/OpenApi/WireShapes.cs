using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Tessera.Server.Policies;

namespace Tessera.Server.OpenApi;

// The shapes of request bodies and of the answers that handlers write themselves, for the OpenAPI document only:
// handlers read bodies with their own strict readers (JsonShape, RequestBody) so that an error names its path, and the
// decision endpoints write with a Utf8JsonWriter so that they allocate nothing. These records say what those accept and write.

internal sealed record V1PolicyBody(
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("subjects")] IReadOnlyList<V1AttributeList> Subjects,
    [property: JsonPropertyName("roles")] IReadOnlyList<RoleReference> Roles,
    [property: JsonPropertyName("resources")] IReadOnlyList<V1AttributeList> Resources,
    [property: JsonPropertyName("description")] string? Description = null);

internal sealed record RoleReference([property: JsonPropertyName("role_id")] string RoleId);

internal sealed record V2PolicyBody(
    [property: JsonPropertyName("control")] V2Control Control,
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("subject")] V2AttributeList Subject,
    [property: JsonPropertyName("resource")] V2AttributeList Resource,
    [property: JsonPropertyName("description")] string? Description = null,
    [property: JsonPropertyName("pattern")] string? Pattern = null,
    [property: JsonPropertyName("rule")] V2Rule? Rule = null);

/// <summary>Policies to create together: each a v2 create body.</summary>
internal sealed record V2PolicyBatchBody([property: JsonPropertyName("policies")] IReadOnlyList<V2PolicyBody> Policies);

internal sealed record PolicyStateBody([property: JsonPropertyName("state")] string State);

internal sealed record ServiceIdBody(
    [property: JsonPropertyName("account_id")] string AccountId,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("description")] string? Description = null,
    [property: JsonPropertyName("group_id")] string? GroupId = null,
    [property: JsonPropertyName("unique_instance_crns")] IReadOnlyList<string>? UniqueInstanceCrns = null,
    [property: JsonPropertyName("apikey")] JsonObject? ApiKey = null);

internal sealed record ServiceIdUpdateBody(
    [property: JsonPropertyName("name")] string? Name = null,
    [property: JsonPropertyName("description")] string? Description = null,
    [property: JsonPropertyName("unique_instance_crns")] IReadOnlyList<string>? UniqueInstanceCrns = null);

internal sealed record ApiKeyBody(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("iam_id")] string IamId,
    [property: JsonPropertyName("description")] string? Description = null,
    [property: JsonPropertyName("account_id")] string? AccountId = null,
    [property: JsonPropertyName("apikey")] string? ApiKey = null,
    [property: JsonPropertyName("store_value")] bool? StoreValue = null,
    [property: JsonPropertyName("support_sessions")] bool? SupportSessions = null,
    [property: JsonPropertyName("action_when_leaked")] string? ActionWhenLeaked = null,
    [property: JsonPropertyName("expires_at")] string? ExpiresAt = null);

internal sealed record ApiKeyUpdateBody(
    [property: JsonPropertyName("name")] string? Name = null,
    [property: JsonPropertyName("description")] string? Description = null,
    [property: JsonPropertyName("support_sessions")] bool? SupportSessions = null,
    [property: JsonPropertyName("action_when_leaked")] string? ActionWhenLeaked = null,
    [property: JsonPropertyName("expires_at")] string? ExpiresAt = null);

internal sealed record AccountBody([property: JsonPropertyName("name")] string Name, [property: JsonPropertyName("owner_email")] string OwnerEmail);

internal sealed record UserBody([property: JsonPropertyName("email")] string Email);

internal sealed record AccessGroupBody([property: JsonPropertyName("name")] string Name, [property: JsonPropertyName("description")] string? Description = null);

internal sealed record MembersBody([property: JsonPropertyName("members")] IReadOnlyList<MemberReference> Members);

internal sealed record MemberReference([property: JsonPropertyName("iam_id")] string IamId, [property: JsonPropertyName("type")] string? Type = null);

internal sealed record ResourceGroupBody([property: JsonPropertyName("name")] string Name, [property: JsonPropertyName("account_id")] string AccountId);

internal sealed record ResourceGroupUpdateBody([property: JsonPropertyName("name")] string? Name = null, [property: JsonPropertyName("state")] string? State = null);

internal sealed record ResourceInstanceBody(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("target")] string Target,
    [property: JsonPropertyName("resource_group")] string ResourceGroup,
    [property: JsonPropertyName("resource_plan_id")] string ResourcePlanId,
    [property: JsonPropertyName("tags")] IReadOnlyList<string>? Tags = null,
    [property: JsonPropertyName("allow_cleanup")] bool? AllowCleanup = null,
    [property: JsonPropertyName("parameters")] JsonObject? Parameters = null);

/// <summary>The form <c>POST /identity/token</c> takes (IBM's API-key grant).</summary>
internal sealed record TokenForm(
    [property: JsonPropertyName("grant_type")] string GrantType,
    [property: JsonPropertyName("apikey")] string ApiKey,
    [property: JsonPropertyName("response_type")] string? ResponseType = null);

/// <summary>An AuthZEN subject or resource: a type and an id (a CRN, an iam_id, a token), and any properties.</summary>
internal sealed record AuthZenEntity(
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("id")] string? Id = null,
    [property: JsonPropertyName("properties")] JsonObject? Properties = null);

internal sealed record AuthZenAction([property: JsonPropertyName("name")] string Name, [property: JsonPropertyName("properties")] JsonObject? Properties = null);

internal sealed record EvaluationRequest(
    [property: JsonPropertyName("subject")] AuthZenEntity Subject,
    [property: JsonPropertyName("action")] AuthZenAction Action,
    [property: JsonPropertyName("resource")] AuthZenEntity Resource,
    [property: JsonPropertyName("context")] JsonObject? Context = null);

/// <summary>A batch: defaults at the top, items that override them, and an optional evaluation semantic.</summary>
internal sealed record EvaluationsRequest(
    [property: JsonPropertyName("subject")] AuthZenEntity? Subject = null,
    [property: JsonPropertyName("action")] AuthZenAction? Action = null,
    [property: JsonPropertyName("resource")] AuthZenEntity? Resource = null,
    [property: JsonPropertyName("context")] JsonObject? Context = null,
    [property: JsonPropertyName("evaluations")] IReadOnlyList<JsonObject>? Evaluations = null,
    [property: JsonPropertyName("options")] JsonObject? Options = null);

/// <summary>A decision; <c>context</c> carries the permitting policy, the reason and the explanation to callers who may see them.</summary>
internal sealed record EvaluationResponse([property: JsonPropertyName("decision")] bool Decision, [property: JsonPropertyName("context")] JsonObject? Context = null);

internal sealed record EvaluationsResponse([property: JsonPropertyName("evaluations")] IReadOnlyList<EvaluationResponse> Evaluations);

internal sealed record SearchRequest(
    [property: JsonPropertyName("subject")] AuthZenEntity? Subject = null,
    [property: JsonPropertyName("action")] AuthZenAction? Action = null,
    [property: JsonPropertyName("resource")] AuthZenEntity? Resource = null,
    [property: JsonPropertyName("page")] SearchPage? Page = null);

internal sealed record SearchPage([property: JsonPropertyName("token")] string? Token = null, [property: JsonPropertyName("limit")] int? Limit = null);

internal sealed record SearchResponse(
    [property: JsonPropertyName("results")] IReadOnlyList<JsonObject> Results,
    [property: JsonPropertyName("page")] SearchNextPage Page);

internal sealed record SearchNextPage([property: JsonPropertyName("next_token")] string NextToken);
