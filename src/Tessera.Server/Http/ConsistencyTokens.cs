using System.Globalization;
using Microsoft.Extensions.Options;
using Tessera.Errors;
using Tessera.Server.Audit;
using Tessera.Server.Observability;
using Tessera.Server.Errors;
using Tessera.Server.Hosting;
using Tessera.Server.Identity;
using Tessera.Storage;

namespace Tessera.Server.Http;

/// <summary>
/// R9 across nodes. Every successful write answers with <c>Consistency-Token</c>: an opaque form of the revision this
/// node had applied when it answered (at least the write's own). A request that sends the token back — to any node —
/// is answered only once that node has applied the revision, waiting up to <see cref="TesseraOptions.ConsistencyWait"/>
/// (5 s by default) and then answering 503 so that the client retries. AuthZEN requests may carry it in <c>context.consistency_token</c> instead.
/// Waiting is a resource, so it is rationed: only an authenticated request waits (anyone else's token is ignored); a
/// token for a revision the store has not reached — which no node can reach by waiting — is a 400 at once; and at most
/// <see cref="TesseraOptions.MaxConsistencyWaiters"/> requests wait at a time (<see cref="RevisionSignal"/> counts them), the next getting a 503 at once.
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

    // Runs for every request, decisions included, after the bearer token is read: the signal is resolved once, and a
    // request without a token costs a header lookup and nothing else.
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
            return token.Count == 0 || context.User.Identity?.IsAuthenticated != true ? next(context) : WaitThenAsync(context, signal, token.ToString(), next);
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
                $"'{Truncated(token)}' is not a consistency token: send back the {HeaderName} header of a write's response as it was");
            return false;
        }
        if (revision <= signal.Applied)
            return true;
        var services = context.RequestServices;
        var options = services.GetRequiredService<IOptions<TesseraOptions>>().Value;
        if (await StoreRevisionAsync(services, context.RequestAborted) is { } newest && revision > newest)
        {
            await ErrorResults.WriteAsync(context, StatusCodes.Status400BadRequest, ErrorCodes.InvalidConsistencyToken,
                $"The consistency token names revision {revision}, which no write has reached (the newest is {newest}): send back a token a write returned.");
            return false;
        }
        var caughtUp = await signal.WaitForAsync(revision, options.ConsistencyWait, context.RequestAborted);
        var metrics = services.GetRequiredService<ServerMetrics>();
        metrics.ConsistencyWait(caughtUp == CatchUp.Applied);
        if (caughtUp == CatchUp.Applied)
        {
            // The token may have been revoked by the change this request waited for: the request goes on as what it is now.
            await BearerTokenMiddleware.AuthenticateAsync(context, services.GetRequiredService<VerifiedTokens>(), metrics);
        }
        return caughtUp switch
        {
            CatchUp.Applied => true,
            CatchUp.TooManyWaiting => await BehindAsync(context, signal, "Too many requests are waiting for this node to catch up"),
            _ => await BehindAsync(context, signal, "This node has not yet applied the change the consistency token names"),
        };
    }

    private static async ValueTask<bool> BehindAsync(HttpContext context, RevisionSignal signal, string why)
    {
        context.Response.Headers.RetryAfter = "1";
        await ErrorResults.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, ErrorCodes.ServiceUnavailable,
            $"{why} (it is at {Format(signal.Applied)}); retry shortly.");
        return false;
    }

    /// <summary>The store's revision, read only on this rare path; null while the store cannot be reached (then the wait decides).</summary>
    private static async ValueTask<long?> StoreRevisionAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        try
        {
            return await services.GetRequiredService<ITesseraStore>().GetRevisionAsync(cancellationToken);
        }
        catch (StoreUnavailableException)
        {
            return null;
        }
    }

    private static string Truncated(string token) => token.Length > 64 ? token[..64] + "…" : token;

    private static bool IsDecision(PathString path) => path.StartsWithSegments("/access/v1", StringComparison.Ordinal);
}
