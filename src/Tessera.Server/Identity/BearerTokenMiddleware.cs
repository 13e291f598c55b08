using Tessera.Errors;
using Tessera.Management;
using Tessera.Server.Errors;
using Tessera.Server.Http;
using Tessera.Server.Observability;

namespace Tessera.Server.Identity;

/// <summary>
/// Sets <c>HttpContext.User</c> from a bearer token, through the verified-token cache. It replaces ASP.NET Core's
/// authentication middleware and handlers, which would open a service scope and create a handler for every request:
/// at the decision API's rates that machinery costs more than the decision. The 401 and 403 it would write are written
/// here, in IBM's shape, for the authorization middleware (<see cref="IbmAuthorizationResults"/>) and for endpoints
/// that check the token themselves (<see cref="RequireTokenAsync"/>).
/// </summary>
internal static class BearerTokenMiddleware
{
    /// <summary>The authentication type of the identities this middleware sets.</summary>
    public const string AuthenticationType = "Bearer";

    public static IApplicationBuilder UseBearerTokens(this IApplicationBuilder app)
    {
        // Singletons, resolved once rather than per request.
        var tokens = app.ApplicationServices.GetRequiredService<VerifiedTokens>();
        var metrics = app.ApplicationServices.GetRequiredService<ServerMetrics>();
        return app.Use(async (context, next) =>
        {
            await AuthenticateAsync(context, tokens, metrics);
            await next(context);
        });
    }

    /// <summary>
    /// Sets the request's user from its bearer token, or leaves it anonymous. Run again after a request has waited (for
    /// a consistency token): what it waited for may be the deletion of the very key its token was issued for.
    /// </summary>
    public static async ValueTask AuthenticateAsync(HttpContext context, VerifiedTokens tokens, ServerMetrics metrics)
    {
        // The console's pages take its session cookie and nothing else; everything else takes the header and never the
        // cookie, so no page of another site can make a browser call the API as its user.
        ReadOnlySpan<char> token;
        if (WebConsole.ConsoleSetup.IsConsole(context))
        {
            token = WebConsole.ConsoleSession.TokenOf(context);
        }
        else
        {
            var header = context.Request.Headers.Authorization.ToString();
            if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
                return;
            token = header.AsSpan("Bearer ".Length).Trim();
        }
        if (token.IsEmpty)
            return;
        // The common case, a token seen before, costs a lookup and no allocation.
        var hit = tokens.TryGetCached(token, out var cached);
        metrics.TokenCache(hit);
        var verified = hit ? cached : await tokens.VerifyAsync(token.ToString());
        context.User = verified?.Principal ?? Anonymous;
    }

    private static readonly System.Security.Claims.ClaimsPrincipal Anonymous = new(new System.Security.Claims.ClaimsIdentity());

    /// <summary>
    /// For endpoints that skip the authorization middleware on their hot path: true when the request carries a valid
    /// token; otherwise it answers the IBM 401 itself and returns false.
    /// </summary>
    public static async ValueTask<bool> RequireTokenAsync(HttpContext context)
    {
        if (context.User.Identity?.IsAuthenticated == true)
            return true;
        await ChallengeAsync(context);
        return false;
    }

    /// <summary>The 401 for a request without a valid token, recorded in the operator's trail (rate-limited).</summary>
    public static async Task ChallengeAsync(HttpContext context)
    {
        context.RequestServices.GetRequiredService<Refusals>()
            .RecordUnauthenticated(context.Request.Method, context.Request.Path.ToString(), TransactionIds.Get(context));
        await ErrorResults.WriteAsync(context, StatusCodes.Status401Unauthorized, ErrorCodes.InvalidToken,
            "The provided access token is missing, invalid or expired. Get one from POST /identity/token.");
    }
}
