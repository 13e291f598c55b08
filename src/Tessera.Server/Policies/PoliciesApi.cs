using Microsoft.AspNetCore.Mvc;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Tessera.Catalog;
using Tessera.Errors;
using Tessera.Management;
using Tessera.Policies;
using Tessera.Server.Errors;
using Tessera.Server.Http;

namespace Tessera.Server.Policies;

/// <summary>
/// <c>/v1/policies</c> and <c>/v2/policies</c>: IBM's policy management API in its two views, for authorization and
/// access policies. Both views are one set of handlers over the same policies (same ids, same rules): a view only reads
/// drafts and writes policies in its own shape. Each handler parses, calls the rule book and maps its outcome; the
/// rules (R3, R6, R7, R10) are the rule book's.
/// </summary>
internal static class PoliciesApi
{
    public static IEndpointRouteBuilder MapPolicies(this IEndpointRouteBuilder routes)
    {
        var v1 = Map(routes, new PolicyView<V1Policy>("/v1/policies", V1PolicyMapper.ReadDraft,
            (policy, rendering) => V1PolicyMapper.ToWire(policy, rendering.Catalog, rendering.BaseUrl)));
        // Only v1 restores: IBM's v2 has no PATCH.
        v1.MapPatch("/{policy_id}", UpdatePolicyState);
        Map(routes, new PolicyView<V2Policy>("/v2/policies", V2PolicyMapper.ReadDraft,
            (policy, rendering) => V2PolicyMapper.ToWire(policy, rendering.Catalog, rendering.BaseUrl, rendering.Display)));
        // Tessera's own, not IBM's: many v2 creates in one transaction. A literal segment, so it never reads as a policy id.
        routes.MapPost("/v2/policies/batch", CreatePolicies).RequireAuthorization();
        return routes;
    }

    /// <summary>A batch may be this large: a thousand policies of a few hundred bytes each, with room to spare.</summary>
    private const int MaxBatchBodyBytes = 4 * 1024 * 1024;

    private static async Task<Results<JsonHttpResult<V2PolicyBatch>, IbmError>> CreatePolicies(HttpContext context, RuleBook rules, ServiceCatalog catalog,
        CancellationToken cancellationToken)
    {
        var (document, readError) = await JsonBody.ReadAsync(context, cancellationToken, MaxBatchBodyBytes);
        if (readError is not null)
            return readError;
        var drafts = new List<PolicyDraft>();
        using (document)
        {
            try
            {
                var root = document!.RootElement;
                JsonShape.Object(root, string.Empty);
                JsonShape.OnlyProperties(root, string.Empty, "policies");
                foreach (var (item, path) in JsonShape.Items(JsonShape.RequiredProperty(root, string.Empty, "policies"), "policies", 1, RuleBook.MaxPolicyBatch))
                {
                    try
                    {
                        drafts.Add(V2PolicyMapper.ReadDraft(item));
                    }
                    catch (BadShapeException ex)
                    {
                        throw new BadShapeException($"{path}: {ex.Message}");
                    }
                }
            }
            catch (BadShapeException ex)
            {
                return ErrorResults.BadRequest(ex.Message);
            }
        }
        var outcome = await rules.CreatePoliciesAsync(context.Call(), drafts, cancellationToken);
        var rendering = Rendering(context, catalog);
        return outcome.Map(created => ApiResults.Json(
            new V2PolicyBatch([.. created.Select(p => V2PolicyMapper.ToWire(p, rendering.Catalog, rendering.BaseUrl, rendering.Display))]),
            StatusCodes.Status201Created));
    }

    private static RouteGroupBuilder Map<TWire>(IEndpointRouteBuilder routes, PolicyView<TWire> view)
    {
        var group = routes.MapGroup(view.Path).RequireAuthorization();
        group.MapPost("", (HttpContext context, RuleBook rules, ServiceCatalog catalog, CancellationToken cancellationToken) =>
            CreatePolicy(view, context, rules, catalog, cancellationToken));
        group.MapGet("", (HttpContext context, RuleBook rules, ServiceCatalog catalog, CancellationToken cancellationToken) =>
            ListPolicies(view, context, rules, catalog, cancellationToken));
        group.MapGet("/{policy_id}", ([FromRoute(Name = "policy_id")] string policyId, HttpContext context, RuleBook rules, ServiceCatalog catalog, CancellationToken cancellationToken) =>
            GetPolicy(view, policyId, context, rules, catalog, cancellationToken));
        group.MapPut("/{policy_id}", ([FromRoute(Name = "policy_id")] string policyId, HttpContext context, RuleBook rules, ServiceCatalog catalog, CancellationToken cancellationToken) =>
            ReplacePolicy(view, policyId, context, rules, catalog, cancellationToken));
        group.MapDelete("/{policy_id}", DeletePolicy);
        return group;
    }

    private static async Task<Results<JsonHttpResult<TWire>, IbmError>> CreatePolicy<TWire>(
        PolicyView<TWire> view, HttpContext context, RuleBook rules, ServiceCatalog catalog, CancellationToken cancellationToken)
    {
        var (draft, error) = await ReadDraftAsync(view, context, cancellationToken);
        if (error is not null)
            return error;
        var outcome = await rules.CreatePolicyAsync(context.Call(), draft!, cancellationToken);
        return Answer(view, context, outcome, catalog, StatusCodes.Status201Created);
    }

    private static async Task<Results<JsonHttpResult<TWire>, IbmError>> GetPolicy<TWire>(
        PolicyView<TWire> view, string policyId, HttpContext context, RuleBook rules, ServiceCatalog catalog, CancellationToken cancellationToken)
    {
        var (format, formatError) = PolicyListQuery.ReadFormat(context);
        if (formatError is not null)
            return formatError;
        var outcome = await rules.GetPolicyAsync(context.Call(), policyId, format == PolicyListQuery.IncludeLastPermit, cancellationToken);
        return Answer(view, context, outcome, catalog, StatusCodes.Status200OK);
    }

    private static async Task<Results<JsonHttpResult<PolicyList<TWire>>, IbmError>> ListPolicies<TWire>(
        PolicyView<TWire> view, HttpContext context, RuleBook rules, ServiceCatalog catalog, CancellationToken cancellationToken)
    {
        var (query, error) = PolicyListQuery.Read(context);
        if (error is not null)
            return error;
        var outcome = await rules.ListPoliciesAsync(context.Call(), query!, cancellationToken);
        var rendering = Rendering(context, catalog);
        return outcome.Map(page =>
        {
            var (first, next) = PolicyListQuery.Links(context, view.Path, page.Next);
            var policies = page.Policies.Select(p => view.ToWire(p, rendering)).ToArray();
            // Without a limit the list is whole (query.Limit was every policy): its limit says how many it holds.
            return ApiResults.Json(new PolicyList<TWire>(query!.Limit == PolicyListQuery.Unlimited ? policies.Length : query.Limit, first, next, policies));
        });
    }

    private static async Task<Results<JsonHttpResult<TWire>, IbmError>> ReplacePolicy<TWire>(
        PolicyView<TWire> view, string policyId, HttpContext context, RuleBook rules, ServiceCatalog catalog, CancellationToken cancellationToken)
    {
        var (draft, error) = await ReadDraftAsync(view, context, cancellationToken);
        if (error is not null)
            return error;
        var outcome = await rules.ReplacePolicyAsync(context.Call(), policyId, ApiResults.IfMatch(context), draft!, cancellationToken);
        return Answer(view, context, outcome, catalog, StatusCodes.Status200OK);
    }

    private static async Task<Results<JsonHttpResult<V1Policy>, IbmError>> UpdatePolicyState(
        [FromRoute(Name = "policy_id")] string policyId, HttpContext context, RuleBook rules, ServiceCatalog catalog, CancellationToken cancellationToken)
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
        var rendering = Rendering(context, catalog);
        return outcome.Map(policy =>
        {
            context.Response.Headers.ETag = policy.ETag;
            return ApiResults.Json(V1PolicyMapper.ToWire(policy, rendering.Catalog, rendering.BaseUrl));
        });
    }

    private static async Task<Results<NoContent, IbmError>> DeletePolicy([FromRoute(Name = "policy_id")] string policyId, HttpContext context, RuleBook rules,
        CancellationToken cancellationToken) =>
        (await rules.DeletePolicyAsync(context.Call(), policyId, cancellationToken)).Map(_ => TypedResults.NoContent());

    /// <summary>A create or replace body as a draft; its shape errors name the path of what is wrong.</summary>
    private static async ValueTask<(PolicyDraft? Draft, IbmError? Error)> ReadDraftAsync<TWire>(PolicyView<TWire> view, HttpContext context,
        CancellationToken cancellationToken)
    {
        var (document, readError) = await JsonBody.ReadAsync(context, cancellationToken);
        if (readError is not null)
            return (null, readError);
        using (document)
        {
            try
            {
                return (view.ReadDraft(document!.RootElement), null);
            }
            catch (BadShapeException ex)
            {
                return (null, ErrorResults.BadRequest(ex.Message));
            }
        }
    }

    /// <summary>A policy answer with its ETag; a conflict (R6) carries the existing policy and its ETag, as IBM's does.</summary>
    private static Results<JsonHttpResult<TWire>, IbmError> Answer<TWire>(PolicyView<TWire> view, HttpContext context, Outcome<Policy> outcome,
        ServiceCatalog catalog, int status)
    {
        var rendering = Rendering(context, catalog);
        if (outcome is { Kind: OutcomeKind.Conflict, Value: { } existing })
        {
            return ErrorResults.Create(StatusCodes.Status409Conflict, ErrorCodes.PolicyConflict, outcome.Problem!.Message,
                new IbmErrorDetails(new IbmConflict(existing.ETag, view.ToWire(existing, rendering)!)));
        }
        return outcome.Map(policy =>
        {
            context.Response.Headers.ETag = policy.ETag;
            return ApiResults.Json(view.ToWire(policy, rendering), status);
        });
    }

    private static PolicyRendering Rendering(HttpContext context, ServiceCatalog catalog) =>
        new(catalog, ApiResults.BaseUrl(context), ApiResults.Query(context, "format") == "display");
}

/// <summary>One wire view of policies: where it lives, how it reads a draft, how it writes a policy.</summary>
internal sealed record PolicyView<TWire>(string Path, Func<JsonElement, PolicyDraft> ReadDraft, Func<Policy, PolicyRendering, TWire> ToWire);

/// <summary>What writing a policy needs besides the policy: role names, the links' base, and whether <c>format=display</c> asked for actions.</summary>
internal sealed record PolicyRendering(ServiceCatalog Catalog, string BaseUrl, bool Display);
