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
