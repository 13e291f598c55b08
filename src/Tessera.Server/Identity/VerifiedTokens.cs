using Tessera.Management;
using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Security.Claims;
using System.Text.Json;

namespace Tessera.Server.Identity;

/// <summary>
/// Verifies access tokens and remembers the verified ones until they expire, so that a caller sending the same
/// token thousands of times a second pays for the RSA signature check once. Bounded: when full, it starts over.
/// </summary>
internal sealed class VerifiedTokens(TokenService tokens, TimeProvider time)
{
    private const int MaxEntries = 10_000;
    private readonly ConcurrentDictionary<string, VerifiedToken> _cache = new(TokenComparer.Instance);

    /// <summary>A token verified before and not yet expired, found without allocating.</summary>
    public bool TryGetCached(ReadOnlySpan<char> token, [NotNullWhen(true)] out VerifiedToken? verified) =>
        _cache.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(token, out verified) && verified.ExpiresAt > time.GetUtcNow();

    public async ValueTask<VerifiedToken?> VerifyAsync(string token)
    {
        if (TryGetCached(token, out var cached))
            return cached;
        _cache.TryRemove(token, out _);

        var result = await tokens.Handler.ValidateTokenAsync(token, tokens.ValidationParameters());
        if (!result.IsValid
            || Claim(result.Claims, "iam_id") is not string iamId
            || AccountOf(Claim(result.Claims, "account")) is not { } accountId
            || result.SecurityToken.ValidTo is var validTo && validTo == DateTime.MinValue)
        {
            return null;
        }

        var subType = Claim(result.Claims, "sub_type") as string ?? "user";
        var principal = new ClaimsPrincipal(new ClaimsIdentity(
        [
            new Claim(Caller.IamIdClaim, iamId),
            new Claim(Caller.AccountClaim, accountId),
            new Claim(Caller.SubTypeClaim, subType),
        ], BearerTokenMiddleware.AuthenticationType));
        var verified = new VerifiedToken(new Caller(iamId, accountId, subType), principal, new DateTimeOffset(validTo, TimeSpan.Zero));
        if (_cache.Count >= MaxEntries)
            _cache.Clear();
        _cache[token] = verified;
        return verified;
    }

    private static object? Claim(IDictionary<string, object> claims, string name) => claims.TryGetValue(name, out var value) ? value : null;

    // IdentityModel hands a nested claim object back as a JsonElement or a dictionary, depending on the version.
    private static string? AccountOf(object? account) => account switch
    {
        JsonElement { ValueKind: JsonValueKind.Object } element
            when element.TryGetProperty("bss", out var bss) && bss.ValueKind == JsonValueKind.String => bss.GetString(),
        IDictionary<string, object> dictionary => Claim(dictionary, "bss") as string,
        _ => null,
    };
}

/// <summary>
/// Tokens are long (about 800 characters); hashing all of one costs more than the decision it authorizes. The last 64
/// characters are the signature's, random per token, so they hash well; equality still compares the whole token, and
/// only verified tokens are ever stored.
/// </summary>
internal sealed class TokenComparer : IEqualityComparer<string>, IAlternateEqualityComparer<ReadOnlySpan<char>, string>
{
    public static readonly TokenComparer Instance = new();
    private const int HashedTail = 64;

    public bool Equals(string? x, string? y) => string.Equals(x, y, StringComparison.Ordinal);

    public int GetHashCode(string obj) => GetHashCode(obj.AsSpan());

    public bool Equals(ReadOnlySpan<char> alternate, string other) => alternate.SequenceEqual(other);

    public int GetHashCode(ReadOnlySpan<char> alternate) =>
        string.GetHashCode(alternate.Length > HashedTail ? alternate[^HashedTail..] : alternate) ^ alternate.Length;

    public string Create(ReadOnlySpan<char> alternate) => alternate.ToString();
}

internal sealed record VerifiedToken(Caller Caller, ClaimsPrincipal Principal, DateTimeOffset ExpiresAt);
