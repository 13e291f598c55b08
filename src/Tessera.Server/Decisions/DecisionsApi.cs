using Tessera.Catalog;
using System.Buffers.Text;
using System.Text;
using System.Text.Json;
using Tessera.Decisions;
using Tessera.Errors;
using Tessera.Server.Errors;
using Tessera.Management;
using Tessera.Policies;
using Tessera.Server.Observability;
using Tessera.Server.Audit;
using Tessera.Server.Http;
using Tessera.Server.Identity;

namespace Tessera.Server.Decisions;

/// <summary>
/// The OpenID AuthZEN 1.0 decision API: evaluation, evaluations, the three searches and the discovery document.
/// Any authenticated identity may ask for decisions. Explanations and searches reveal policies, so they are answered
/// only to callers who may read the policies on the resource (<c>iam.policy.read</c>, held by owners and Administrators);
/// a resource search, to the subject itself or its account's owner.
/// </summary>
internal static class DecisionsApi
{
    public const int MaxEvaluations = 1000;
    private const int MaxDecisionBodyBytes = 1024 * 1024;
    private const int DefaultPageSize = 50;
    private const int MaxPageSize = 1000;

    public static IEndpointRouteBuilder MapDecisions(this IEndpointRouteBuilder routes)
    {
        // Anonymous to the authorization middleware only: each handler requires a valid token itself (RequireTokenAsync),
        // which at these request rates is much cheaper than evaluating an authorization policy.
        var group = routes.MapGroup("/access/v1").AllowAnonymous();
        // The evaluation endpoints are plain request delegates over singletons resolved here, once: binding services as
        // handler parameters would open a dependency-injection scope for every decision request.
        var services = routes.ServiceProvider;
        var decider = services.GetRequiredService<Decider>();
        var catalog = services.GetRequiredService<ServiceCatalog>();
        var reader = services.GetRequiredService<AuthZenReader>();
        var metrics = services.GetRequiredService<ServerMetrics>();
        var signal = services.GetRequiredService<RevisionSignal>();
        var audience = services.GetRequiredService<DecisionAudience>();
        var endpoint = new Evaluator(decider, catalog, reader, metrics, signal, audience, services.GetService<DecisionBudgets>());
        // Their decision budget is taken by the evaluator itself (DecisionBudgets), not by the rate-limiting middleware.
        // Plain request delegates are not in ASP.NET Core's API explorer; their method, as metadata, puts them in the OpenAPI document.
        group.MapPost("/evaluation", endpoint.EvaluateAsync).AuthorizesItself().DisableRateLimiting().WithMetadata(((RequestDelegate)endpoint.EvaluateAsync).Method);
        group.MapPost("/evaluations", endpoint.EvaluateManyAsync).AuthorizesItself().DisableRateLimiting()
            .WithMetadata(((RequestDelegate)endpoint.EvaluateManyAsync).Method);
        group.MapPost("/search/subject", SearchSubjects);
        group.MapPost("/search/resource", SearchResources);
        group.MapPost("/search/action", SearchActions);
        routes.MapGet("/.well-known/authzen-configuration", Configuration).AllowAnonymous();
        return routes;
    }

    /// <summary>
    /// The request's JSON, once the caller has shown a valid token; otherwise null, with the 401 or 400 already written.
    /// </summary>
    internal static async ValueTask<JsonDocument?> ReadBodyAsync(HttpContext context, RevisionSignal signal)
    {
        if (!await BearerTokenMiddleware.RequireTokenAsync(context))
            return null;
        var (document, error) = await JsonBody.ReadAsync(context, context.RequestAborted, MaxDecisionBodyBytes);
        if (error is not null)
        {
            await error.ExecuteAsync(context);
            return null;
        }
        // A consistency token may also ride in the request's context (AuthZEN has no headers of its own).
        if (ConsistencyToken(document!.RootElement) is { } token
            && (!await ConsistencyTokens.WaitAsync(context, signal, token) || !await BearerTokenMiddleware.RequireTokenAsync(context)))
        {
            // Not caught up, or the change it waited for revoked the caller's token.
            document.Dispose();
            return null;
        }
        return document;
    }

    /// <summary>
    /// The request's <c>context.consistency_token</c>. Only the request's own context is read (for <c>evaluations</c>,
    /// the top-level defaults): one token covers a whole batch, and a batch is not scanned item by item for one.
    /// </summary>
    private static string? ConsistencyToken(JsonElement root) =>
        root.ValueKind == JsonValueKind.Object && root.TryGetProperty("context", out var context) && context.ValueKind == JsonValueKind.Object
        && context.TryGetProperty("consistency_token", out var token) && token.ValueKind == JsonValueKind.String
            ? token.GetString()
            : null;

    internal static string UnknownAction(ServiceCatalog catalog, string action) =>
        catalog.ActionsNear(action) is [_, ..] near
            ? $"'{action}' is not an action of any service in the catalog; did you mean {string.Join(" or ", near.Select(a => $"'{a}'"))}?"
            : $"'{action}' is not an action of any service in the catalog (see GET /v1/catalog/services)";

    private static async Task SearchActions(HttpContext context, DecisionIndex index, AuthZenReader reader) =>
        await SearchAsync(context, async root =>
        {
            if (!root.TryGetProperty("subject", out var subjectElement) || !root.TryGetProperty("resource", out var resourceElement))
                return SearchOutcome.Invalid("subject and resource are required");
            var (subject, subjectError) = await reader.ReadSubjectAsync(subjectElement);
            if (subjectError is not null)
                return SearchOutcome.Invalid(subjectError);
            if (!reader.TryReadResource(resourceElement, out var resource, out var resourceError, Evaluator.CallerAccount(context)))
                return SearchOutcome.Invalid(resourceError);
            if (!await MayReadPoliciesAsync(context, resource))
                return SearchOutcome.Forbidden;
            return new SearchOutcome(index.SearchActions(subject, resource).Select(a => (a, (Action<Utf8JsonWriter>)(json =>
            {
                json.WriteStartObject();
                json.WriteString("name", a);
                json.WriteEndObject();
            }))).ToList(), null);
        });

    private static async Task SearchSubjects(HttpContext context, DecisionIndex index, AuthZenReader reader) =>
        await SearchAsync(context, async root =>
        {
            if (!root.TryGetProperty("resource", out var resourceElement) || !root.TryGetProperty("action", out var actionElement))
                return SearchOutcome.Invalid("resource and action are required");
            string? kind = null;
            if (root.TryGetProperty("subject", out var subject))
            {
                if (subject.ValueKind != JsonValueKind.Object || !subject.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String
                    || SubjectKind(type.GetString()) is not { } known)
                {
                    return SearchOutcome.Invalid("subject.type must be 'service' (authorizations' sources), 'user' or 'identity' (an iam_id), or 'group' (an access group)");
                }
                kind = known;
            }
            if (!reader.TryReadResource(resourceElement, out var resource, out var resourceError, Evaluator.CallerAccount(context)))
                return SearchOutcome.Invalid(resourceError);
            if (!reader.TryReadAction(actionElement, out var action, out var actionError))
                return SearchOutcome.Invalid(actionError);
            if (!await MayReadPoliciesAsync(context, resource))
                return SearchOutcome.Forbidden;
            return new SearchOutcome(Subjects(index.SearchSubjects(resource, action), kind, subject.ValueKind == JsonValueKind.Object
                ? subject.GetProperty("type").GetString()!
                : null), null);
        });

    private static async Task SearchResources(HttpContext context, DecisionIndex index, AuthZenReader reader) =>
        await SearchAsync(context, async root =>
        {
            if (!root.TryGetProperty("subject", out var subjectElement) || !root.TryGetProperty("action", out var actionElement))
                return SearchOutcome.Invalid("subject and action are required");
            var (subject, subjectError) = await reader.ReadSubjectAsync(subjectElement);
            if (subjectError is not null)
                return SearchOutcome.Invalid(subjectError);
            if (!reader.TryReadAction(actionElement, out var action, out var actionError))
                return SearchOutcome.Invalid(actionError);
            // A user or service ID named by its iam_id alone is searched within the caller's account: its reach there, not
            // in accounts the caller cannot see.
            string? within = null;
            if (subject.IamId is not null && subject.AccountId is null)
                (subject, within) = (subject with { AccountId = Caller.From(context.User).AccountId }, Caller.From(context.User).AccountId);
            if (!await context.RequestServices.GetRequiredService<RuleBook>().MaySearchReachOfAsync(Caller.From(context.User), subject, context.RequestAborted))
                return SearchOutcome.Forbidden;
            var reach = index.SearchResources(subject, action);
            return new SearchOutcome(Scopes(within is null ? reach : reach.Where(r => r.Properties.GetValueOrDefault(AttributeNames.AccountId) == within).ToList(), null), null);
        });

    internal const string ExplainForbidden =
        "Explanations and searches show policies: they need iam.policy.read on the resource (its account's owner or an Administrator).";

    // Resolved here, off the decision path: only explanations and searches need the rule book.
    private static async ValueTask<bool> MayReadPoliciesAsync(HttpContext context, Tessera.Decisions.Attributes resource) =>
        await context.RequestServices.GetRequiredService<RuleBook>().MaySeePoliciesOnAsync(Caller.From(context.User), resource, context.RequestAborted);

    /// <summary>A search's results, or why there are none: a bad request (400) or a caller who may not ask (403).</summary>
    private sealed record SearchOutcome(List<(string Key, Action<Utf8JsonWriter> Write)>? Results, string? Error, int Status = StatusCodes.Status400BadRequest)
    {
        public static readonly SearchOutcome Forbidden = new(null, ExplainForbidden, StatusCodes.Status403Forbidden);

        public static SearchOutcome Invalid(string error) => new(null, error);
    }

    /// <summary>The subject kinds a search can ask for, by the AuthZEN subject types that name them.</summary>
    private static string? SubjectKind(string? type) => type switch
    {
        "service" => "service",
        "user" or "identity" => AttributeNames.IamId,
        "group" or "access_group" => AttributeNames.AccessGroupId,
        _ => null,
    };

    /// <summary>
    /// A subject search's results: services as their CRNs, identities and access groups by their ids, each kind only when
    /// asked for (all of them when the request names no subject type), with the type the request used.
    /// </summary>
    private static List<(string Key, Action<Utf8JsonWriter> Write)> Subjects(IReadOnlyList<ScopeResult> scopes, string? kind, string? requestedType)
    {
        var results = new List<(string Key, Action<Utf8JsonWriter> Write)>();
        foreach (var scope in scopes)
        {
            var scopeKind = scope.Properties.ContainsKey(AttributeNames.IamId) ? AttributeNames.IamId
                : scope.Properties.ContainsKey(AttributeNames.AccessGroupId) ? AttributeNames.AccessGroupId
                : "service";
            if (kind is not null && kind != scopeKind)
                continue;
            if (scopeKind == "service")
            {
                results.AddRange(Scopes([scope], "service"));
                continue;
            }
            var type = requestedType ?? (scopeKind == AttributeNames.IamId ? "user" : "group");
            results.Add((scope.Key, json =>
            {
                json.WriteStartObject();
                json.WriteString("type", type);
                json.WriteString("id", scope.Properties[scopeKind]);
                if (scope.Properties.Count > 1)
                {
                    json.WriteStartObject("properties");
                    foreach (var (name, value) in scope.Properties.Where(p => p.Key != scopeKind))
                        json.WriteString(name, value);
                    json.WriteEndObject();
                }
                json.WriteEndObject();
            }));
        }
        return results;
    }

    private static List<(string Key, Action<Utf8JsonWriter> Write)> Scopes(IReadOnlyList<ScopeResult> scopes, string? type) =>
        scopes.Select(scope => (scope.Key, (Action<Utf8JsonWriter>)(json =>
        {
            var p = scope.Properties;
            json.WriteStartObject();
            json.WriteString("type", type ?? p.GetValueOrDefault("resourceType") ?? (p.ContainsKey("serviceInstance") ? "service-instance" : "service"));
            json.WriteString("id", $"crn:v1:bluemix:public:{p.GetValueOrDefault("serviceName")}:{p.GetValueOrDefault("region")}:" +
                                   $"{(p.TryGetValue("accountId", out var account) ? "a/" + account : string.Empty)}:{p.GetValueOrDefault("serviceInstance")}:" +
                                   $"{p.GetValueOrDefault("resourceType")}:{p.GetValueOrDefault("resource")}");
            json.WriteStartObject("properties");
            foreach (var (name, value) in p)
                json.WriteString(name, value);
            json.WriteEndObject();
            json.WriteEndObject();
        }))).ToList();

    /// <summary>Runs a search and pages its results by key: complete, and never silently cut short.</summary>
    private static async Task SearchAsync(HttpContext context, Func<JsonElement, ValueTask<SearchOutcome>> search)
    {
        Evaluator.EchoRequestId(context);
        using var document = await ReadBodyAsync(context, context.RequestServices.GetRequiredService<RevisionSignal>());
        if (document is null)
            return;
        {
            var root = document.RootElement;
            var (after, limit, pageError) = root.ValueKind == JsonValueKind.Object ? ReadPage(root) : (null, 0, "the request body must be a JSON object");
            var outcome = pageError is null ? await search(root) : SearchOutcome.Invalid(pageError);
            if (outcome.Error is not null)
            {
                await ErrorResults.WriteAsync(context, outcome.Status,
                    outcome.Status == StatusCodes.Status403Forbidden ? ErrorCodes.InsufficientPermissions : ErrorCodes.InvalidBody, outcome.Error);
                return;
            }

            var page = outcome.Results!.Where(r => after is null || string.CompareOrdinal(r.Key, after) > 0).Take(limit + 1).ToList();
            var more = page.Count > limit;
            if (more)
                page.RemoveAt(page.Count - 1);
            await using var json = DecisionJson.Writer(context.Response);
            json.WriteStartObject();
            json.WriteStartArray("results");
            foreach (var result in page)
                result.Write(json);
            json.WriteEndArray();
            json.WriteStartObject("page");
            json.WriteString("next_token", more ? Base64Url.EncodeToString(Encoding.UTF8.GetBytes(page[^1].Key)) : string.Empty);
            json.WriteEndObject();
            json.WriteEndObject();
        }
    }

    internal static (string? After, int Limit, string? Error) ReadPage(JsonElement root)
    {
        if (!root.TryGetProperty("page", out var page) || page.ValueKind == JsonValueKind.Null)
            return (null, DefaultPageSize, null);
        if (page.ValueKind != JsonValueKind.Object)
            return (null, 0, "page must be a JSON object");
        var limit = DefaultPageSize;
        if (page.TryGetProperty("limit", out var limitElement) && limitElement.ValueKind != JsonValueKind.Null
            && (limitElement.ValueKind != JsonValueKind.Number || !limitElement.TryGetInt32(out limit) || limit < 1 || limit > MaxPageSize))
            return (null, 0, $"page.limit must be a whole number from 1 to {MaxPageSize}");
        if (!page.TryGetProperty("token", out var token) || token.ValueKind == JsonValueKind.Null)
            return (null, limit, null);
        if (token.ValueKind != JsonValueKind.String)
            return (null, 0, "page.token must be a string");
        if (token.GetString() is not { Length: > 0 } text)
            return (null, limit, null);
        try
        {
            return (Encoding.UTF8.GetString(Base64Url.DecodeFromChars(text)), limit, null);
        }
        catch (FormatException)
        {
            return (null, 0, "page.token is not a token this server issued");
        }
    }

    internal static Semantic ReadSemantic(JsonElement root, out string? problem)
    {
        problem = null;
        if (!root.TryGetProperty("options", out var options) || options.ValueKind == JsonValueKind.Null)
            return Semantic.ExecuteAll;
        if (options.ValueKind != JsonValueKind.Object)
        {
            problem = "options must be a JSON object";
            return Semantic.ExecuteAll;
        }
        if (!options.TryGetProperty("evaluations_semantic", out var semantic) || semantic.ValueKind == JsonValueKind.Null)
            return Semantic.ExecuteAll;
        switch (semantic.ValueKind == JsonValueKind.String ? semantic.GetString() : null)
        {
            case "execute_all": return Semantic.ExecuteAll;
            case "deny_on_first_deny": return Semantic.DenyOnFirstDeny;
            case "permit_on_first_permit": return Semantic.PermitOnFirstPermit;
            default:
                problem = "options.evaluations_semantic must be 'execute_all', 'deny_on_first_deny' or 'permit_on_first_permit'";
                return Semantic.ExecuteAll;
        }
    }

    private static Microsoft.AspNetCore.Http.HttpResults.JsonHttpResult<AuthZenConfiguration> Configuration(HttpContext context)
    {
        var baseUrl = ApiResults.BaseUrl(context);
        return TypedResults.Json(new AuthZenConfiguration(baseUrl, $"{baseUrl}/access/v1/evaluation", $"{baseUrl}/access/v1/evaluations",
            $"{baseUrl}/access/v1/search/subject", $"{baseUrl}/access/v1/search/resource", $"{baseUrl}/access/v1/search/action"),
            ServerJsonContext.Relaxed.AuthZenConfiguration);
    }

    internal enum Semantic
    {
        ExecuteAll,
        DenyOnFirstDeny,
        PermitOnFirstPermit,
    }
}
