using System.Text.Json.Serialization;

namespace Tessera.Server.Identity;

/// <summary>The IAM token response (reference §3.2): the Node core needs the JWT, the Go core <c>expiration</c>, bluemix-go <c>token_type</c>.</summary>
internal sealed record TokenResponse(
    [property: JsonPropertyName("access_token")] string AccessToken,
    [property: JsonPropertyName("refresh_token")] string RefreshToken,
    [property: JsonPropertyName("token_type")] string TokenType,
    [property: JsonPropertyName("expires_in")] long ExpiresIn,
    [property: JsonPropertyName("expiration")] long Expiration,
    [property: JsonPropertyName("scope")] string Scope);

/// <summary>The IAM token server's error shape, unlike the policy API's envelope.</summary>
internal sealed record TokenErrorResponse(
    [property: JsonPropertyName("errorCode")] string ErrorCode,
    [property: JsonPropertyName("errorMessage")] string ErrorMessage,
    [property: JsonPropertyName("context")] TokenErrorContext Context);

internal sealed record TokenErrorContext(
    [property: JsonPropertyName("requestId")] string RequestId,
    [property: JsonPropertyName("requestType")] string RequestType);

internal sealed record JsonWebKeySet([property: JsonPropertyName("keys")] IReadOnlyList<PublicJsonWebKey> Keys);

internal sealed record PublicJsonWebKey(
    [property: JsonPropertyName("kty")] string Kty,
    [property: JsonPropertyName("kid")] string Kid,
    [property: JsonPropertyName("alg")] string Alg,
    [property: JsonPropertyName("use")] string Use,
    [property: JsonPropertyName("n")] string N,
    [property: JsonPropertyName("e")] string E);

/// <summary>The answer to a signing-key rotation: the new key's id (as the JWKS and new tokens' <c>kid</c> name it).</summary>
internal sealed record RotatedKey([property: JsonPropertyName("kid")] string KeyId);

/// <summary>
/// <c>GET /identity/.well-known/openid-configuration</c> (OpenID Connect Discovery 1.0 §3): where the token endpoint and
/// the keys are, and what they support. The issuer is the one in the tokens (IBM's by default, for Terraform); the
/// endpoints are this server's.
/// </summary>
internal sealed record OpenIdConfiguration(
    [property: JsonPropertyName("issuer")] string Issuer,
    [property: JsonPropertyName("token_endpoint")] string TokenEndpoint,
    [property: JsonPropertyName("jwks_uri")] string JwksUri,
    [property: JsonPropertyName("grant_types_supported")] IReadOnlyList<string> GrantTypes,
    [property: JsonPropertyName("response_types_supported")] IReadOnlyList<string> ResponseTypes,
    [property: JsonPropertyName("subject_types_supported")] IReadOnlyList<string> SubjectTypes,
    [property: JsonPropertyName("id_token_signing_alg_values_supported")] IReadOnlyList<string> SigningAlgorithms,
    [property: JsonPropertyName("token_endpoint_auth_methods_supported")] IReadOnlyList<string> TokenEndpointAuthMethods,
    [property: JsonPropertyName("claims_supported")] IReadOnlyList<string> Claims)
{
    public static OpenIdConfiguration For(string baseUrl, string issuer) => new(
        issuer, $"{baseUrl}/identity/token", $"{baseUrl}/identity/keys", ["urn:ibm:params:oauth:grant-type:apikey"], ["cloud_iam"], ["public"], ["RS256"],
        ["none", "client_secret_basic"], ["iss", "exp", "iat", "nbf", "iam_id", "id", "sub", "sub_type", "account", "apikey_id", "scope", "grant_type"]);
}
