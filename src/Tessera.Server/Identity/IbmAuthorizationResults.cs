using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Tessera.Errors;
using Tessera.Server.Errors;

namespace Tessera.Server.Identity;

/// <summary>
/// What the authorization middleware answers when an endpoint's policy (a valid token, by default) is not met: IBM's
/// 401 or 403, without an authentication scheme behind them.
/// </summary>
internal sealed class IbmAuthorizationResults : IAuthorizationMiddlewareResultHandler
{
    public Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        // Every console page checks its session itself (and sends a browser to sign in); a console path that no page
        // answers goes on to be the console's not-found page rather than the API's 401.
        if (authorizeResult.Succeeded || WebConsole.ConsoleSetup.IsConsole(context))
            return next(context);
        return authorizeResult.Forbidden
            ? ErrorResults.WriteAsync(context, StatusCodes.Status403Forbidden, ErrorCodes.InsufficientPermissions, "You are not allowed to perform this action.")
            : BearerTokenMiddleware.ChallengeAsync(context);
    }
}
