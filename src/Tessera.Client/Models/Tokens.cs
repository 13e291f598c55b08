namespace Tessera.Client.Models;

/// <summary>The token endpoint's answer (reference §3.2).</summary>
internal sealed record TokenResponse(string AccessToken, string TokenType, long ExpiresIn, long Expiration);
