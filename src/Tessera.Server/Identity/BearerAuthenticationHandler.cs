using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Tessera.Errors;
using Tessera.Server.Errors;

namespace Tessera.Server.Identity;

/// <summary>
/// The bearer scheme: verifies <c>Authorization: Bearer &lt;jwt&gt;</c> with the store's signing keys (JwtBearer is not
/// available here, and this is all it would do) and answers challenges and refusals in IBM's shape. Unsigned, wrongly
/// signed, expired and foreign-issuer tokens fail. Requests are normally authenticated by <see cref="BearerTokenMiddleware"/>;
/// this handler serves code that asks the scheme directly.
/// </summary>
internal sealed class BearerAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, VerifiedTokens tokens)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Bearer";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (header.Length == 0)
            return AuthenticateResult.NoResult();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            return AuthenticateResult.Fail("the Authorization header must be 'Bearer <token>'");

        var verified = await tokens.VerifyAsync(header["Bearer ".Length..].Trim());
        return verified is null
            ? AuthenticateResult.Fail("the token is not valid")
            : AuthenticateResult.Success(new AuthenticationTicket(verified.Principal, SchemeName));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties) =>
        ErrorResults.WriteAsync(Context, StatusCodes.Status401Unauthorized, ErrorCodes.InvalidToken,
            "The provided access token is missing, invalid or expired. Get one from POST /identity/token.");

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        ErrorResults.WriteAsync(Context, StatusCodes.Status403Forbidden, ErrorCodes.InsufficientPermissions,
            "You are not allowed to perform this action.");
}
