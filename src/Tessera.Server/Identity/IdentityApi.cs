using System.Buffers.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Tessera.Errors;
using Tessera.Security;
using Tessera.Management;
using Tessera.Server.Errors;
using Tessera.Server.Http;
using Tessera.Storage;

namespace Tessera.Server.Identity;

/// <summary>
/// <c>POST /identity/token</c> (API key → access token), <c>GET /identity/keys</c> (the JWKS) and <c>POST /identity/keys</c>
/// (the operator rotates the signing key).
/// </summary>
internal static class IdentityApi
{
    private const string ApiKeyGrant = "urn:ibm:params:oauth:grant-type:apikey";
    private const int MaxApiKeyLength = 256;

    public static IEndpointRouteBuilder MapIdentity(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/identity").AllowAnonymous();
        group.MapPost("/token", IssueToken).DisableAntiforgery();
        group.MapGet("/keys", GetKeys);
        group.MapGet("/.well-known/openid-configuration", (HttpContext context, TokenService tokens) =>
            TypedResults.Json(OpenIdConfiguration.For(ApiResults.BaseUrl(context), tokens.Issuer), ServerJsonContext.Relaxed.OpenIdConfiguration));
        // Outside the anonymous group: the operator's owner only, which the rule book decides.
        routes.MapPost("/identity/keys", RotateKey);
        return routes;
    }

    private static async Task<Results<Ok<TokenResponse>, JsonHttpResult<TokenErrorResponse>>> IssueToken(
        HttpContext context, ITesseraStore store, TokenService tokens, Refusals refusals, TimeProvider time, CancellationToken cancellationToken)
    {
        if (!context.Request.HasFormContentType)
            return TokenError(context, ErrorCodes.InvalidTokenRequest, "the request must be a form post (application/x-www-form-urlencoded)");

        IFormCollection form;
        try
        {
            form = await context.Request.ReadFormAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is InvalidDataException or BadHttpRequestException or IOException)
        {
            return TokenError(context, ErrorCodes.InvalidTokenRequest, "the form body cannot be read");
        }

        var grantType = form["grant_type"].ToString();
        if (grantType != ApiKeyGrant)
            return TokenError(context, ErrorCodes.InvalidTokenRequest, $"grant_type must be '{ApiKeyGrant}'");
        var apiKey = form["apikey"].ToString();
        if (apiKey.Length == 0)
            return TokenError(context, ErrorCodes.InvalidTokenRequest, "Property missing or empty: apikey");

        if (await ExchangeAsync(context, apiKey, store, tokens, refusals, cancellationToken) is not { } issued)
            return TokenError(context, ErrorCodes.ApiKeyNotFound, "Provided API key could not be found.");
        var now = time.GetUtcNow();
        return TypedResults.Ok(new TokenResponse(
            issued.AccessToken, "not_supported", "Bearer",
            (long)(issued.ExpiresAt - now).TotalSeconds, issued.ExpiresAt.ToUnixTimeSeconds(), "ibm openid"));
    }

    /// <summary>
    /// A token for the identity whose API key <paramref name="apiKey"/> is, or null when no live key is; a failed exchange
    /// is recorded in the operator's trail. The token endpoint and the console's sign-in both exchange through here.
    /// </summary>
    public static async ValueTask<IssuedToken?> ExchangeAsync(HttpContext context, string apiKey, ITesseraStore store, TokenService tokens, Refusals refusals,
        CancellationToken cancellationToken)
    {
        var owner = apiKey.Length is 0 or > MaxApiKeyLength ? null : await store.FindApiKeyByHashAsync(ApiKeySecrets.Hash(apiKey), cancellationToken);
        if (owner is null)
        {
            refusals.RecordFailedTokenExchange(context.Connection.RemoteIpAddress?.ToString() ?? "unknown", TransactionIds.Get(context));
            return null;
        }
        return tokens.Issue(owner.Identity, owner.Key.Id);
    }

    private static async Task<Results<JsonHttpResult<RotatedKey>, IbmError>> RotateKey(HttpContext context, RuleBook rules, CancellationToken cancellationToken) =>
        (await rules.RotateSigningKeyAsync(context.Call(), cancellationToken)).Map(keyId => ApiResults.Json(new RotatedKey(keyId), StatusCodes.Status201Created));

    private static Ok<JsonWebKeySet> GetKeys(TokenService tokens) => TypedResults.Ok(new JsonWebKeySet(tokens.Keys.Select(key =>
    {
        var parameters = key.Rsa.ExportParameters(includePrivateParameters: false);
        return new PublicJsonWebKey("RSA", key.KeyId, "RS256", "sig", Base64Url.EncodeToString(parameters.Modulus), Base64Url.EncodeToString(parameters.Exponent));
    }).ToArray()));

    private static JsonHttpResult<TokenErrorResponse> TokenError(HttpContext context, string code, string message) =>
        TypedResults.Json(new TokenErrorResponse(code, message, new TokenErrorContext(TransactionIds.Get(context), "incoming.ApiKey")),
            ServerJsonContext.Relaxed.TokenErrorResponse, "application/json; charset=utf-8", StatusCodes.Status400BadRequest);
}
