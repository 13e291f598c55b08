using Tessera.Management;
using Tessera.Server.Http;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Tessera.Errors;
using Tessera.Server.Errors;

namespace Tessera.Server.Identity;

/// <summary>
/// The bearer scheme. <see cref="BearerTokenMiddleware"/> verifies <c>Authorization: Bearer &lt;jwt&gt;</c> (JwtBearer is not
/// available here); this handler reports the result to whoever asks the scheme, and answers challenges and refusals
/// in IBM's error shape.
/// </summary>
internal sealed class BearerAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Bearer";

    // BearerTokenMiddleware has already verified the token and set the user; the scheme reports what it found.
    protected override Task<AuthenticateResult> HandleAuthenticateAsync() => Task.FromResult(
        Context.User.Identity is { IsAuthenticated: true, AuthenticationType: SchemeName }
            ? AuthenticateResult.Success(new AuthenticationTicket(Context.User, SchemeName))
            : AuthenticateResult.NoResult());

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        await Context.RequestServices.GetRequiredService<Refusals>()
            .RecordUnauthenticatedAsync(Context.Request.Method, Context.Request.Path.ToString(), TransactionIds.Get(Context), Context.RequestAborted);
        await ErrorResults.WriteAsync(Context, StatusCodes.Status401Unauthorized, ErrorCodes.InvalidToken,
            "The provided access token is missing, invalid or expired. Get one from POST /identity/token.");
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        ErrorResults.WriteAsync(Context, StatusCodes.Status403Forbidden, ErrorCodes.InsufficientPermissions,
            "You are not allowed to perform this action.");
}
