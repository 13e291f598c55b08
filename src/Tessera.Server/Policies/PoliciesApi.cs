using Microsoft.AspNetCore.Http.HttpResults;
using Tessera.Catalog;
using Tessera.Errors;
using Tessera.Management;
using Tessera.Policies;
using Tessera.Server.Errors;
using Tessera.Server.Http;

namespace Tessera.Server.Policies;

/// <summary>
/// <c>/v1/policies</c>: IBM's policy management API, v1 view, for authorization and access policies. Each handler
/// parses, calls the rule book and maps its outcome; the rules (R3, R6, R7, R10) are the rule book's.
/// </summary>
internal static class PoliciesApi
{
    public static IEndpointRouteBuilder MapPolicies(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/v1/policies").RequireAuthorization();
        group.MapPost("", CreatePolicy);
        group.MapGet("", ListPolicies);
        group.MapGet("/{policyId}", GetPolicy);
        group.MapPut("/{policyId}", ReplacePolicy);
        group.MapPatch("/{policyId}", UpdatePolicyState);
        group.MapDelete("/{policyId}", DeletePolicy);
        return routes;
    }

    private static async Task<Results<JsonHttpResult<V1Policy>, IbmError>> CreatePolicy(
        HttpContext context, RuleBook rules, ServiceCatalog catalog, CancellationToken cancellationToken)
    {
        var (draft, error) = await ReadDraftAsync(context, cancellationToken);
        if (error is not null)
            return error;
        var outcome = await rules.CreatePolicyAsync(context.Call(), draft!, cancellationToken);
        return Answer(context, outcome, catalog, StatusCodes.Status201Created);
    }

    private static async Task<Results<JsonHttpResult<V1Policy>, IbmError>> GetPolicy(
        string policyId, HttpContext context, RuleBook rules, ServiceCatalog catalog, CancellationToken cancellationToken) =>
        Answer(context, await rules.GetPolicyAsync(context.Call(), policyId, cancellationToken), catalog, StatusCodes.Status200OK);

    private static async Task<Results<JsonHttpResult<V1PolicyList>, IbmError>> ListPolicies(
        HttpContext context, RuleBook rules, ServiceCatalog catalog, CancellationToken cancellationToken)
    {
        var (query, error) = PolicyListQuery.Read(context);
        if (error is not null)
            return error;
        var outcome = await rules.ListPoliciesAsync(context.Call(), query!, cancellationToken);
        var baseUrl = ApiResults.BaseUrl(context);
        return outcome.Map(page =>
        {
            var (first, next) = PolicyListQuery.Links(context, page.Next);
            return ApiResults.Json(new V1PolicyList(query!.Limit, first, next, page.Policies.Select(p => V1PolicyMapper.ToWire(p, catalog, baseUrl)).ToArray()));
        });
    }

    private static async Task<Results<JsonHttpResult<V1Policy>, IbmError>> ReplacePolicy(
        string policyId, HttpContext context, RuleBook rules, ServiceCatalog catalog, CancellationToken cancellationToken)
    {
        var (draft, error) = await ReadDraftAsync(context, cancellationToken);
        if (error is not null)
            return error;
        var outcome = await rules.ReplacePolicyAsync(context.Call(), policyId, ApiResults.IfMatch(context), draft!, cancellationToken);
        return Answer(context, outcome, catalog, StatusCodes.Status200OK);
    }

    private static async Task<Results<JsonHttpResult<V1Policy>, IbmError>> UpdatePolicyState(
        string policyId, HttpContext context, RuleBook rules, ServiceCatalog catalog, CancellationToken cancellationToken)
    {
        using var body = await RequestBody.ReadAsync(context, cancellationToken, "state");
        if (body.Error is not null)
            return body.Error;
        var stateText = body.RequiredText("state", 16);
        if (body.Problem is { } problem)
            return ErrorResults.BadRequest(problem);
        if (!PolicyWireNames.TryParseState(stateText!, out var state))
            return ErrorResults.BadRequest($"state must be 'active' or 'deleted', not '{stateText}'");
        var outcome = await rules.SetPolicyStateAsync(context.Call(), policyId, ApiResults.IfMatch(context), state, cancellationToken);
        return Answer(context, outcome, catalog, StatusCodes.Status200OK);
    }

    private static async Task<Results<NoContent, IbmError>> DeletePolicy(string policyId, HttpContext context, RuleBook rules,
        CancellationToken cancellationToken) =>
        (await rules.DeletePolicyAsync(context.Call(), policyId, cancellationToken)).Map(_ => TypedResults.NoContent());

    /// <summary>A v1 create or replace body as a draft; its shape errors name the path of what is wrong.</summary>
    private static async ValueTask<(PolicyDraft? Draft, IbmError? Error)> ReadDraftAsync(HttpContext context, CancellationToken cancellationToken)
    {
        var (document, readError) = await JsonBody.ReadAsync(context, cancellationToken);
        if (readError is not null)
            return (null, readError);
        using (document)
        {
            try
            {
                return (V1PolicyMapper.ReadDraft(document!.RootElement), null);
            }
            catch (BadShapeException ex)
            {
                return (null, ErrorResults.BadRequest(ex.Message));
            }
        }
    }

    /// <summary>A policy answer with its ETag; a conflict (R6) carries the existing policy and its ETag, as IBM's does.</summary>
    private static Results<JsonHttpResult<V1Policy>, IbmError> Answer(HttpContext context, Outcome<Policy> outcome, ServiceCatalog catalog, int status)
    {
        var baseUrl = ApiResults.BaseUrl(context);
        if (outcome is { Kind: OutcomeKind.Conflict, Value: { } existing })
        {
            return ErrorResults.Create(StatusCodes.Status409Conflict, ErrorCodes.PolicyConflict, outcome.Problem!.Message,
                new IbmErrorDetails(new IbmConflict(existing.ETag, V1PolicyMapper.ToWire(existing, catalog, baseUrl))));
        }
        return outcome.Map(policy =>
        {
            context.Response.Headers.ETag = policy.ETag;
            return ApiResults.Json(V1PolicyMapper.ToWire(policy, catalog, baseUrl), status);
        });
    }
}
