using System.Diagnostics;
using System.Text.Json;
using Tessera.Catalog;
using Tessera.Decisions;
using Tessera.Errors;
using Tessera.Management;
using Tessera.Server.Audit;
using Tessera.Server.Errors;
using Tessera.Server.Http;
using Tessera.Server.Identity;
using Tessera.Server.Observability;
using static Tessera.Server.Decisions.DecisionsApi;

namespace Tessera.Server.Decisions;

/// <summary>
/// <c>POST /access/v1/evaluation</c> and <c>/evaluations</c>: plain request delegates over singletons resolved once
/// (binding services as handler parameters would open a dependency-injection scope for every decision request). Each
/// evaluation is asked of the <see cref="DecisionAudience"/> first: a caller who may not ask about the resource is refused,
/// and one who may ask but not read the account's policies gets the decision without policy ids or reasons.
/// </summary>
internal sealed class Evaluator(Decider decider, ServiceCatalog catalog, AuthZenReader reader, ServerMetrics metrics, RevisionSignal signal,
    DecisionAudience audience, DecisionBudgets? budgets)
{
    private const string AskForbidden =
        "You may ask about resources of your own account only, or of services the operator lets you check (the Decision Checker role in the operator account).";

    public async Task EvaluateAsync(HttpContext context)
    {
        var started = Stopwatch.GetTimestamp();
        EchoRequestId(context);
        using var document = await ReadWithinBudgetAsync(context);
        if (document is null)
            return;
        await EvaluateOneAsync(context, document.RootElement, started);
    }

    /// <summary>AuthZEN: a PDP answers with the <c>X-Request-ID</c> its caller sent.</summary>
    public static void EchoRequestId(HttpContext context)
    {
        if (context.Request.Headers.TryGetValue(RequestIdHeader, out var id))
            context.Response.Headers[RequestIdHeader] = id;
    }

    private const string RequestIdHeader = "X-Request-ID";

    private async Task EvaluateOneAsync(HttpContext context, JsonElement root, long started)
    {
        var evaluation = await reader.ReadAsync(root, default, null, CallerAccount(context));
        if (evaluation.Error is not null)
        {
            await ErrorResults.WriteAsync(context, StatusCodes.Status400BadRequest, ErrorCodes.InvalidBody, evaluation.Error);
            return;
        }
        var access = await AccessAsync(context, evaluation);
        if (access == DecisionAccess.Refused || (evaluation.Explain && access != DecisionAccess.Full))
        {
            await ErrorResults.WriteAsync(context, StatusCodes.Status403Forbidden, ErrorCodes.InsufficientPermissions,
                access == DecisionAccess.Refused ? AskForbidden : ExplainForbidden);
            return;
        }
        await using var json = DecisionJson.Writer(context.Response);
        var permit = Write(json, evaluation, access);
        metrics.Decided("evaluation", permit ? 1 : 0, permit ? 0 : 1, started);
    }

    public async Task EvaluateManyAsync(HttpContext context)
    {
        var started = Stopwatch.GetTimestamp();
        EchoRequestId(context);
        using var document = await ReadWithinBudgetAsync(context);
        if (document is null)
            return;
        var root = document.RootElement;
        // AuthZEN 1.0: without evaluations, or with none, the request is one evaluation and is answered as one.
        if (root.ValueKind == JsonValueKind.Object
            && (!root.TryGetProperty("evaluations", out var listed) || listed.ValueKind == JsonValueKind.Null
                || (listed.ValueKind == JsonValueKind.Array && listed.GetArrayLength() == 0)))
        {
            await EvaluateOneAsync(context, root, started);
            return;
        }
        var problem = root.ValueKind != JsonValueKind.Object ? "the request body must be a JSON object"
            : !root.TryGetProperty("evaluations", out var items) || items.ValueKind != JsonValueKind.Array ? "evaluations must be an array"
            : items.GetArrayLength() > MaxEvaluations ? $"at most {MaxEvaluations} evaluations fit in one request"
            : null;
        var semantic = problem is null ? ReadSemantic(root, out problem) : Semantic.ExecuteAll;
        if (problem is not null)
        {
            await ErrorResults.WriteAsync(context, StatusCodes.Status400BadRequest, ErrorCodes.InvalidBody, problem);
            return;
        }

        // Parse every item first (token subjects may verify asynchronously), then decide and write synchronously.
        var evaluations = new List<(Evaluation Evaluation, DecisionAccess Access)>(root.GetProperty("evaluations").GetArrayLength());
        (Attributes, string?)? defaultSubject = root.TryGetProperty("subject", out var subject) && subject.ValueKind != JsonValueKind.Null
            ? await reader.ReadSubjectAsync(subject)
            : null;
        foreach (var item in root.GetProperty("evaluations").EnumerateArray())
        {
            var evaluation = await reader.ReadAsync(item, root, defaultSubject, CallerAccount(context));
            var access = evaluation.Error is null ? await AccessAsync(context, evaluation) : DecisionAccess.DecisionOnly;
            evaluations.Add(evaluation.Explain && access == DecisionAccess.DecisionOnly
                ? (Evaluation.Invalid(ExplainForbidden, StatusCodes.Status403Forbidden), access)
                : (evaluation, access));
        }

        await using var json = DecisionJson.Writer(context.Response);
        json.WriteStartObject();
        json.WriteStartArray("evaluations");
        var (permits, denies) = (0, 0);
        foreach (var (evaluation, access) in evaluations)
        {
            var permit = access == DecisionAccess.Refused
                ? Refused(json)
                : Write(json, evaluation, access);
            (permits, denies) = permit ? (permits + 1, denies) : (permits, denies + 1);
            if ((semantic == Semantic.DenyOnFirstDeny && !permit) || (semantic == Semantic.PermitOnFirstPermit && permit))
                break;
        }
        json.WriteEndArray();
        json.WriteEndObject();
        metrics.Decided("evaluations", permits, denies, started);
    }

    /// <summary>
    /// The request's JSON once it is taken from its caller's decision budget (otherwise the 429 is answered; a request
    /// without a token goes on to its 401) and its token checked; null when an answer is already written.
    /// </summary>
    private async ValueTask<JsonDocument?> ReadWithinBudgetAsync(HttpContext context)
    {
        if (budgets is not null && context.User is CallerPrincipal principal && budgets.TryTake(principal.Caller) is { } refused)
        {
            using (refused)
                await RateLimits.TooManyAsync(context, Budget.Decisions, refused);
            return null;
        }
        return await ReadBodyAsync(context, signal);
    }

    /// <summary>The asking identity's account, where a resource in AuthZEN's plain form is (see <see cref="AuthZenReader"/>).</summary>
    public static string CallerAccount(HttpContext context) => ((CallerPrincipal)context.User).Caller.AccountId;

    private ValueTask<DecisionAccess> AccessAsync(HttpContext context, in Evaluation evaluation) =>
        audience.AccessAsync(((CallerPrincipal)context.User).Caller, evaluation.Request.Resource, context.RequestAborted);

    private static bool Refused(Utf8JsonWriter json)
    {
        DecisionJson.WriteInvalid(json, AskForbidden, StatusCodes.Status403Forbidden);
        return false;
    }

    /// <summary>Writes one evaluation's result, saying as much as <paramref name="access"/> allows, and returns its decision.</summary>
    private bool Write(Utf8JsonWriter json, in Evaluation evaluation, DecisionAccess access)
    {
        if (evaluation.Error is not null)
        {
            DecisionJson.WriteInvalid(json, evaluation.Error, evaluation.ErrorStatus);
            return false;
        }
        var explanation = evaluation.Explain ? decider.Explain(evaluation.Request) : null;
        var decision = explanation?.Decision ?? decider.Check(evaluation.Request);
        // Only on the way to a deny: an action no catalog role carries is a typo or an unknown service, and says so (the
        // catalog is no secret of the account's).
        if (!decision.Permit && !catalog.KnowsAction(evaluation.Request.Action))
        {
            DecisionJson.WriteDecision(json, Decision.Deny(DenyReason.UnknownAction), explanation, UnknownAction(catalog, evaluation.Request.Action));
            return false;
        }
        if (access == DecisionAccess.Full)
            DecisionJson.WriteDecision(json, decision, explanation);
        else
            DecisionJson.WriteBare(json, decision.Permit);
        return decision.Permit;
    }
}
