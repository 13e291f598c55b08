using Microsoft.AspNetCore.Authentication;

namespace Tessera.Server.Identity;

/// <summary>
/// Sets <c>HttpContext.User</c> from a bearer token, through the verified-token cache. It replaces
/// <c>UseAuthentication</c>, which would create an authentication handler for every request: at the decision API's
/// rates that machinery costs more than the decision. Challenges and refusals still go through
/// <see cref="BearerAuthenticationHandler"/>, so every 401 and 403 keeps IBM's shape.
/// </summary>
internal static class BearerTokenMiddleware
{
    public static IApplicationBuilder UseBearerTokens(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var header = context.Request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            var tokens = context.RequestServices.GetRequiredService<VerifiedTokens>();
            var token = header.AsSpan("Bearer ".Length).Trim();
            // The common case, a token seen before, costs a lookup and no allocation.
            var verified = tokens.TryGetCached(token, out var cached) ? cached : await tokens.VerifyAsync(token.ToString());
            if (verified is not null)
                context.User = verified.Principal;
        }
        await next(context);
    });

    /// <summary>
    /// For endpoints that skip the authorization middleware on their hot path: true when the request carries a valid
    /// token; otherwise it answers the IBM 401 itself and returns false.
    /// </summary>
    public static async ValueTask<bool> RequireTokenAsync(HttpContext context)
    {
        if (context.User.Identity?.IsAuthenticated == true)
            return true;
        await context.ChallengeAsync();
        return false;
    }
}
