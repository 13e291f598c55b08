using System.Globalization;
using Microsoft.Extensions.Options;
using Tessera.Errors;
using Tessera.Server.Audit;
using Tessera.Server.Observability;
using Tessera.Server.Errors;
using Tessera.Server.Hosting;

namespace Tessera.Server.Http;

/// <summary>
/// R9 across nodes. Every successful write answers with <c>Consistency-Token</c>: an opaque form of the revision this
/// node had applied when it answered (at least the write's own). A request that sends the token back — to any node —
/// is answered only once that node has applied the revision, waiting up to <see cref="TesseraOptions.ConsistencyWait"/>
/// (5 s by default) and then answering 503 so that the client retries. AuthZEN requests may carry it in <c>context.consistency_token</c> instead.
/// </summary>
internal static class ConsistencyTokens
{
    public const string HeaderName = "Consistency-Token";
    private const string Prefix = "ct1.";

    public static string Format(long revision) => Prefix + revision.ToString(CultureInfo.InvariantCulture);

    public static bool TryParse(string? token, out long revision)
    {
        revision = 0;
        return token is not null && token.StartsWith(Prefix, StringComparison.Ordinal)
            && long.TryParse(token.AsSpan(Prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out revision);
    }

    // Runs for every request, decisions included: the signal is resolved once, and a request without a token costs
    // a header lookup and nothing else.
    public static IApplicationBuilder UseConsistencyTokens(this IApplicationBuilder app)
    {
        var signal = app.ApplicationServices.GetRequiredService<RevisionSignal>();
        return app.Use((context, next) =>
        {
            var request = context.Request;
            if (!HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method) && !IsDecision(request.Path))
            {
                context.Response.OnStarting(() =>
                {
                    if (context.Response.StatusCode < 400)
                        context.Response.Headers[HeaderName] = Format(signal.Applied);
                    return Task.CompletedTask;
                });
            }
            var token = request.Headers[HeaderName];
            return token.Count == 0 ? next(context) : WaitThenAsync(context, signal, token.ToString(), next);
        });
    }

    private static async Task WaitThenAsync(HttpContext context, RevisionSignal signal, string token, RequestDelegate next)
    {
        if (await WaitAsync(context, signal, token))
            await next(context);
    }

    /// <summary>Waits until the node has applied the token's revision; otherwise writes the 400 or 503 and returns false.</summary>
    public static async ValueTask<bool> WaitAsync(HttpContext context, RevisionSignal signal, string token)
    {
        if (!TryParse(token, out var revision))
        {
            await ErrorResults.WriteAsync(context, StatusCodes.Status400BadRequest, ErrorCodes.InvalidConsistencyToken,
                $"'{token}' is not a consistency token: send back the {HeaderName} header of a write's response as it was");
            return false;
        }
        if (revision <= signal.Applied)
            return true;
        var wait = context.RequestServices.GetRequiredService<IOptions<TesseraOptions>>().Value.ConsistencyWait;
        var caughtUp = await signal.WaitForAsync(revision, wait, context.RequestAborted);
        context.RequestServices.GetRequiredService<ServerMetrics>().ConsistencyWait(caughtUp);
        if (caughtUp)
            return true;
        context.Response.Headers.RetryAfter = "1";
        await ErrorResults.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, ErrorCodes.ServiceUnavailable,
            $"This node has not yet applied the change the consistency token names (it is at {Format(signal.Applied)}); retry shortly.");
        return false;
    }

    private static bool IsDecision(PathString path) => path.StartsWithSegments("/access/v1", StringComparison.Ordinal);
}
