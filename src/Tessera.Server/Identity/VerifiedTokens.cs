using Tessera.Management;
using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Security.Claims;
using System.Text.Json;
using Tessera.Storage;

namespace Tessera.Server.Identity;

/// <summary>
/// Verifies access tokens and remembers the verified ones until they expire, so that a caller sending the same
/// token thousands of times a second pays for the RSA signature check once. Bounded: when full, it starts over.
/// Follows credential changes: when an identity or an API key is deleted — here or, through the change log, on any
/// node — the tokens issued for it are dropped from the cache and refused from then on, not left to live out their hour.
/// </summary>
internal sealed class VerifiedTokens(TokenService tokens, TimeProvider time) : IChangeSink
{
    /// <summary>The claim of the identity's name (the token's <c>sub</c>).</summary>
    public const string NameClaim = "sub";

    private const int MaxEntries = 10_000;
    private readonly ConcurrentDictionary<string, VerifiedToken> _cache = new(TokenComparer.Instance);
    // Deleted iam_ids and API key ids, with when: kept while a token issued before the deletion could still be unexpired.
    private readonly ConcurrentDictionary<string, DateTimeOffset> _deletedIdentities = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _deletedApiKeys = new(StringComparer.Ordinal);

    /// <summary>A token verified before, not yet expired and not revoked, found without allocating.</summary>
    public bool TryGetCached(ReadOnlySpan<char> token, [NotNullWhen(true)] out VerifiedToken? verified) =>
        _cache.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(token, out verified) && verified.ExpiresAt > time.GetUtcNow();

    public async ValueTask<VerifiedToken?> VerifyAsync(string token)
    {
        if (TryGetCached(token, out var cached))
            return cached;
        _cache.TryRemove(token, out _);

        if (!TokenShape.IsAcceptable(tokens.Handler, token, time.GetUtcNow()))
            return null;
        var result = await tokens.Handler.ValidateTokenAsync(token, tokens.ValidationParameters());
        if (!result.IsValid
            || Claim(result.Claims, "iam_id") is not string iamId
            || AccountOf(Claim(result.Claims, "account")) is not { } accountId
            || result.SecurityToken.ValidTo is var validTo && validTo == DateTime.MinValue)
        {
            return null;
        }

        var subType = Claim(result.Claims, "sub_type") as string ?? "user";
        var apiKeyId = Claim(result.Claims, TokenService.ApiKeyIdClaim) as string;
        var caller = new Caller(iamId, accountId, subType);
        List<Claim> claims =
        [
            new Claim(Caller.IamIdClaim, iamId),
            new Claim(Caller.AccountClaim, accountId),
            new Claim(Caller.SubTypeClaim, subType),
        ];
        // For the console: whom to greet, and which of the listed keys the session was signed in with.
        if (Claim(result.Claims, "sub") is string name)
            claims.Add(new Claim(NameClaim, name));
        if (apiKeyId is not null)
            claims.Add(new Claim(TokenService.ApiKeyIdClaim, apiKeyId));
        var principal = new CallerPrincipal(caller, new ClaimsIdentity(claims, BearerTokenMiddleware.AuthenticationType));
        var verified = new VerifiedToken(caller, principal, new DateTimeOffset(validTo, TimeSpan.Zero), apiKeyId);
        if (IsRevoked(verified))
            return null;
        if (_cache.Count >= MaxEntries)
            _cache.Clear();
        _cache[token] = verified;
        // A deletion applied between the check above and the insert would have missed this entry: look once more.
        if (IsRevoked(verified))
        {
            _cache.TryRemove(token, out _);
            return null;
        }
        return verified;
    }

    public void Apply(ChangeSet changes)
    {
        if (changes.Credentials.Count > 0)
            Revoke(changes.Credentials);
    }

    /// <summary>Ends the tokens of deleted identities and API keys (at start-up, those deleted within a token's lifetime).</summary>
    public void Revoke(IEnumerable<CredentialChange> changes)
    {
        var any = false;
        foreach (var change in changes)
        {
            var deleted = change.Kind switch
            {
                CredentialKind.IdentityDeleted => _deletedIdentities,
                CredentialKind.ApiKeyDeleted => _deletedApiKeys,
                _ => null,
            };
            if (deleted is null)
                continue;
            deleted[change.Id] = change.At;
            any = true;
        }
        if (!any)
            return;
        foreach (var (token, verified) in _cache)
        {
            if (IsRevoked(verified))
                _cache.TryRemove(token, out _);
        }
        Forget(_deletedIdentities);
        Forget(_deletedApiKeys);
    }

    private bool IsRevoked(VerifiedToken verified) =>
        _deletedIdentities.ContainsKey(verified.Caller.IamId) || (verified.ApiKeyId is { } key && _deletedApiKeys.ContainsKey(key));

    // Every token issued before a deletion has expired one lifetime (and the skew) after it; a token issued after it
    // cannot exist, because the exchange looks the live key up. So the entry can go.
    private void Forget(ConcurrentDictionary<string, DateTimeOffset> deleted)
    {
        var horizon = time.GetUtcNow() - tokens.Lifetime - TokenService.ClockSkew - TokenService.ClockSkew;
        foreach (var (id, at) in deleted)
        {
            if (at < horizon)
                deleted.TryRemove(id, out _);
        }
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

internal sealed record VerifiedToken(Caller Caller, ClaimsPrincipal Principal, DateTimeOffset ExpiresAt, string? ApiKeyId);
