using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Tessera.Model;
using Tessera.Server.Hosting;
using Tessera.Storage;

namespace Tessera.Server.Identity;

/// <summary>
/// Issues and verifies Tessera's RS256 access tokens. The signing key is made on first start and kept in the store,
/// so every node of a deployment signs and verifies with the same key; it is never logged.
/// </summary>
internal sealed class TokenService(IOptions<TesseraOptions> options, TimeProvider time)
{
    private readonly JsonWebTokenHandler _handler = new() { SetDefaultTimesOnTokenCreation = false };
    private RsaSecurityKey[] _keys = [];

    public string Issuer => options.Value.Issuer;

    public IReadOnlyList<RsaSecurityKey> Keys => _keys;

    public async ValueTask InitializeAsync(ITesseraStore store, CancellationToken cancellationToken)
    {
        var stored = await store.GetSigningKeysAsync(cancellationToken);
        if (stored.Count == 0)
        {
            using var rsa = RSA.Create(2048);
            await store.AddSigningKeyAsync(new SigningKey(Ids.NewHex32()[..12], rsa.ExportPkcs8PrivateKey(), time.GetUtcNow()), cancellationToken);
            // Another node may have added its key first: use whatever the store holds.
            stored = await store.GetSigningKeysAsync(cancellationToken);
        }
        _keys = stored.Select(ToSecurityKey).ToArray();
    }

    public IssuedToken Issue(Model.Identity identity)
    {
        var now = time.GetUtcNow();
        var expires = now + options.Value.TokenLifetime;
        var signingKey = _keys[^1];
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = expires.UtcDateTime,
            SigningCredentials = new SigningCredentials(signingKey, SecurityAlgorithms.RsaSha256),
            Claims = new Dictionary<string, object>
            {
                ["iam_id"] = identity.IamId,
                ["id"] = identity.IamId,
                ["realmid"] = "iam",
                ["sub"] = identity.Name,
                ["sub_type"] = identity.SubType,
                ["account"] = new Dictionary<string, object> { ["valid"] = true, ["bss"] = identity.AccountId },
                ["grant_type"] = "urn:ibm:params:oauth:grant-type:apikey",
                ["scope"] = "ibm openid",
                ["client_id"] = "default",
            },
        };
        return new IssuedToken(_handler.CreateToken(descriptor), expires);
    }

    public TokenValidationParameters ValidationParameters() => new()
    {
        ValidIssuer = Issuer,
        ValidateAudience = false,
        ValidateLifetime = true,
        RequireExpirationTime = true,
        RequireSignedTokens = true,
        ValidAlgorithms = [SecurityAlgorithms.RsaSha256],
        IssuerSigningKeys = _keys,
        ClockSkew = ClockSkew,
        // The same clock as issuing and the verified-token cache, so that all three agree on when a token expires.
        LifetimeValidator = (notBefore, expires, _, _) =>
        {
            var now = time.GetUtcNow().UtcDateTime;
            return expires is { } end && now < end + ClockSkew && (notBefore is not { } start || start - ClockSkew <= now);
        },
    };

    private static readonly TimeSpan ClockSkew = TimeSpan.FromSeconds(30);

    public JsonWebTokenHandler Handler => _handler;

    private static RsaSecurityKey ToSecurityKey(SigningKey key)
    {
        var rsa = RSA.Create();
        rsa.ImportPkcs8PrivateKey(key.PrivateKeyPkcs8, out _);
        return new RsaSecurityKey(rsa) { KeyId = key.KeyId };
    }
}

internal sealed record IssuedToken(string AccessToken, DateTimeOffset ExpiresAt);
