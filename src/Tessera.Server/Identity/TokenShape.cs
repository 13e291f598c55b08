using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Tessera.Server.Identity;

/// <summary>
/// What a token must look like before its signature is worth checking, beyond what IdentityModel enforces: a
/// <c>kid</c> (the key is looked up by it, never guessed), no <c>crit</c> header (no extension is understood here, and
/// RFC 7515 §4.1.11 says to refuse what is not understood), and <c>exp</c>, <c>iat</c> and <c>nbf</c> as numbers — with
/// an <c>iat</c> no further ahead of this node's clock than the skew allows.
/// </summary>
internal static class TokenShape
{
    public static bool IsAcceptable(JsonWebTokenHandler handler, string token, DateTimeOffset now)
    {
        if (!handler.CanReadToken(token))
            return false;
        try
        {
            var jwt = handler.ReadJsonWebToken(token);
            using var header = JsonDocument.Parse(Base64UrlEncoder.DecodeBytes(jwt.EncodedHeader));
            using var payload = JsonDocument.Parse(Base64UrlEncoder.DecodeBytes(jwt.EncodedPayload));
            if (header.RootElement.ValueKind != JsonValueKind.Object || payload.RootElement.ValueKind != JsonValueKind.Object
                || header.RootElement.TryGetProperty("crit", out _)
                || !header.RootElement.TryGetProperty("kid", out var kid) || kid.ValueKind != JsonValueKind.String)
            {
                return false;
            }
            var claims = payload.RootElement;
            if (!claims.TryGetProperty("exp", out var exp) || exp.ValueKind != JsonValueKind.Number)
                return false;
            if (claims.TryGetProperty("nbf", out var nbf) && nbf.ValueKind != JsonValueKind.Number)
                return false;
            if (claims.TryGetProperty("iat", out var iat)
                && (iat.ValueKind != JsonValueKind.Number || !iat.TryGetInt64(out var issued)
                    || DateTimeOffset.FromUnixTimeSeconds(Math.Clamp(issued, 0, 253402300799)) > now + TokenService.ClockSkew))
            {
                return false;
            }
            return true;
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or JsonException or SecurityTokenException)
        {
            return false;
        }
    }
}
