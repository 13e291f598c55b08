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
        if (authorizeResult.Succeeded)
            return next(context);
        return authorizeResult.Forbidden
            ? ErrorResults.WriteAsync(context, StatusCodes.Status403Forbidden, ErrorCodes.InsufficientPermissions, "You are not allowed to perform this action.")
            : BearerTokenMiddleware.ChallengeAsync(context);
    }
}
