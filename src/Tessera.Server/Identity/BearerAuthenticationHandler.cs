using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Tessera.Errors;
using Tessera.Server.Errors;

namespace Tessera.Server.Identity;

/// <summary>
/// Verifies <c>Authorization: Bearer &lt;jwt&gt;</c> with the store's signing keys (JwtBearer is not available here, and
/// this is all it would do). Unsigned, wrongly signed, expired and foreign-issuer tokens fail; the 401 is IBM-shaped.
/// </summary>
internal sealed class BearerAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, TokenService tokens)
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

        var result = await tokens.Handler.ValidateTokenAsync(header["Bearer ".Length..].Trim(), tokens.ValidationParameters());
        if (!result.IsValid)
            return AuthenticateResult.Fail("the token is not valid");

        var claims = result.Claims;
        if (Claim(claims, "iam_id") is not string iamId || AccountOf(Claim(claims, "account")) is not { } accountId)
        {
            return AuthenticateResult.Fail("the token lacks the iam_id or account claims");
        }

        var identity = new ClaimsIdentity(
        [
            new Claim(Caller.IamIdClaim, iamId),
            new Claim(Caller.AccountClaim, accountId),
            new Claim(Caller.SubTypeClaim, Claim(claims, "sub_type") as string ?? "user"),
        ], SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    private static object? Claim(IDictionary<string, object> claims, string name) => claims.TryGetValue(name, out var value) ? value : null;

    // IdentityModel hands a nested claim object back as a JsonElement or a dictionary, depending on the version.
    private static string? AccountOf(object? account) => account switch
    {
        System.Text.Json.JsonElement { ValueKind: System.Text.Json.JsonValueKind.Object } element
            when element.TryGetProperty("bss", out var bss) && bss.ValueKind == System.Text.Json.JsonValueKind.String => bss.GetString(),
        IDictionary<string, object> dictionary => Claim(dictionary, "bss") as string,
        _ => null,
    };

    protected override Task HandleChallengeAsync(AuthenticationProperties properties) =>
        ErrorResults.WriteAsync(Context, StatusCodes.Status401Unauthorized, ErrorCodes.InvalidToken,
            "The provided access token is missing, invalid or expired. Get one from POST /identity/token.");

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        ErrorResults.WriteAsync(Context, StatusCodes.Status403Forbidden, ErrorCodes.InsufficientPermissions,
            "You are not allowed to perform this action.");
}
