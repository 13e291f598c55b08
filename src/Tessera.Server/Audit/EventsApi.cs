using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Tessera.Audit;
using Microsoft.AspNetCore.Http.HttpResults;
using Tessera.Management;
using Tessera.Server.Errors;
using Tessera.Server.Http;
using Tessera.Storage;

namespace Tessera.Server.Audit;

/// <summary>
/// <c>GET /v1/events</c>: an account's audit trail, oldest first, paged like the policy lists (<c>limit</c>, <c>start</c>,
/// <c>next.start</c>); and <c>GET /v1/events/stream</c>, the same trail as server-sent events that a client follows from a
/// position. Each event's SSE <c>id</c> is its place in the trail, so reconnecting with <c>Last-Event-ID</c> (or
/// <c>after</c>) resumes exactly after the last event received: none missed, none repeated. For account owners and
/// holders of <c>iam-access-management.events.read</c> (Administrator).
/// </summary>
internal static class EventsApi
{
    private const int MaxLimit = 1000;
    private static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(15);

    public static IEndpointRouteBuilder MapEvents(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/v1/events").RequireAuthorization();
        group.MapGet("", List);
        group.MapGet("/stream", Stream);
        return routes;
    }

    private static async Task<Results<JsonHttpResult<EventPage>, IbmError>> List(HttpContext context, RuleBook rules, CancellationToken cancellationToken)
    {
        var (query, error) = ReadQuery(context, "start");
        if (error is not null)
            return error;
        var (limit, limitError) = ApiResults.Limit(context, 100, MaxLimit);
        if (limitError is not null)
            return limitError;

        var outcome = await rules.ListEventsAsync(context.Call(), query! with { Limit = limit + 1 }, cancellationToken);
        if (!outcome.Succeeded)
            return outcome.Problem!.ToError(outcome.Kind);
        var events = outcome.Value!;
        var page = events.Take(limit).ToList();
        var href = $"{ApiResults.BaseUrl(context)}/v1/events";
        var kept = string.Join('&', context.Request.Query.Where(p => p.Key != "start").Select(p => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(p.Value.ToString())}"));
        var first = kept.Length == 0 ? href : $"{href}?{kept}";
        EventLink? next = null;
        if (events.Count > limit)
        {
            var start = page[^1].Sequence.ToString(CultureInfo.InvariantCulture);
            next = new EventLink($"{first}{(kept.Length == 0 ? '?' : '&')}start={start}", start);
        }
        return ApiResults.Json(new EventPage(limit, new EventLink(first, null), next, page.Select(ToJson).ToArray()));
    }

    private static async Task Stream(HttpContext context, RuleBook rules, ITesseraStore store, RevisionSignal signal)
    {
        var aborted = context.RequestAborted;
        var resumeFrom = context.Request.Headers["Last-Event-ID"].ToString() is { Length: > 0 } lastId ? lastId : null;
        var (query, error) = ReadQuery(context, "after", resumeFrom);
        if (error is null && await rules.MayReadEventsAsync(context.Call(), query!.AccountId, aborted) is { } refusal)
            error = refusal.ToError();
        if (error is not null)
        {
            await error.ExecuteAsync(context);
            return;
        }

        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";
        await context.Response.Body.FlushAsync(aborted);
        var after = query!.AfterSequence;
        try
        {
            while (!aborted.IsCancellationRequested)
            {
                // Take the signal before reading: a commit after the read still wakes the wait below.
                var changed = signal.Next;
                var events = await store.ListEventsAsync(query with { AfterSequence = after, Limit = 500 }, aborted);
                foreach (var auditEvent in events)
                {
                    var frame = $"id: {auditEvent.Sequence.ToString(CultureInfo.InvariantCulture)}\nevent: audit\ndata: {AuditEventCodec.ToJson(auditEvent)}\n\n";
                    await context.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(frame), aborted);
                    after = auditEvent.Sequence;
                }
                await context.Response.Body.FlushAsync(aborted);
                if (events.Count > 0)
                    continue;
                if (await Task.WhenAny(changed, Task.Delay(KeepAlive, aborted)) != changed)
                {
                    await context.Response.Body.WriteAsync(": keep-alive\n\n"u8.ToArray(), aborted);
                    await context.Response.Body.FlushAsync(aborted);
                }
            }
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            // The client went away; where it stopped is the id of the last event it received.
        }
    }

    /// <summary>The trail query a request asks for; whether the caller may read that account's trail is the rule book's to say.</summary>
    private static (EventQuery? Query, IbmError? Error) ReadQuery(HttpContext context, string positionParameter, string? position = null)
    {
        var parameters = context.Request.Query;
        var accountId = parameters["account_id"].ToString();
        if (accountId.Length == 0)
            return (null, ApiResults.MissingQuery("account_id"));

        position ??= parameters[positionParameter].ToString();
        var after = 0L;
        if (position.Length > 0 && (!long.TryParse(position, NumberStyles.None, CultureInfo.InvariantCulture, out after)))
            return (null, ApiResults.InvalidQuery(positionParameter, position, "the id of an event received before"));
        DateTimeOffset? from = null, to = null;
        foreach (var (name, set) in new (string, Action<DateTimeOffset>)[] { ("from", t => from = t), ("to", t => to = t) })
        {
            if (parameters[name].ToString() is not { Length: > 0 } text)
                continue;
            if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time))
                return (null, ApiResults.InvalidQuery(name, text, "an ISO 8601 time such as 2026-11-22T08:00:00Z"));
            set(time);
        }
        string? Filter(string name) => parameters[name].ToString() is { Length: > 0 } value ? value : null;
        return (new EventQuery { AccountId = accountId, Action = Filter("action"), TargetId = Filter("target"), From = from, To = to, AfterSequence = after }, null);
    }

    private static JsonNode ToJson(AuditEvent auditEvent)
    {
        var node = JsonNode.Parse(AuditEventCodec.ToJson(auditEvent))!;
        node["revision"] = auditEvent.Revision;
        return node;
    }
}

internal sealed record EventLink(string Href, string? Start);

internal sealed record EventPage(int Limit, EventLink First, EventLink? Next, IReadOnlyList<JsonNode> Events);
