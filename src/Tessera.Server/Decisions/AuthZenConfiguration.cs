using System.Text.Json.Serialization;

namespace Tessera.Server.Decisions;

/// <summary>The AuthZEN PDP metadata served at <c>/.well-known/authzen-configuration</c>.</summary>
internal sealed record AuthZenConfiguration(
    [property: JsonPropertyName("policy_decision_point")] string PolicyDecisionPoint,
    [property: JsonPropertyName("access_evaluation_endpoint")] string AccessEvaluationEndpoint,
    [property: JsonPropertyName("access_evaluations_endpoint")] string AccessEvaluationsEndpoint,
    [property: JsonPropertyName("search_subject_endpoint")] string SearchSubjectEndpoint,
    [property: JsonPropertyName("search_resource_endpoint")] string SearchResourceEndpoint,
    [property: JsonPropertyName("search_action_endpoint")] string SearchActionEndpoint);
