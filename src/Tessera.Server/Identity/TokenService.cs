using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Tessera.Audit;
using Tessera.Management;
using Tessera.Model;
using Tessera.Server.Hosting;
using Tessera.Storage;

namespace Tessera.Server.Identity;

/// <summary>
/// Issues and verifies Tessera's RS256 access tokens. Signing keys are kept in the store, so every node of a deployment
/// signs and verifies with the same ones; they are never logged. A rotation adds a key: new tokens are signed with it
/// at once on every node (the change log carries the rotation), and the key before it is still accepted, and published
/// in the JWKS, until the last token it signed has expired.
/// </summary>
internal sealed class TokenService(IOptions<TesseraOptions> options, TimeProvider time, IServiceProvider services) : IChangeSink, ISigningKeys
{
    /// <summary>How far a token's times may disagree with this node's clock.</summary>
    public static readonly TimeSpan ClockSkew = TimeSpan.FromSeconds(30);

    private readonly JsonWebTokenHandler _handler = new() { SetDefaultTimesOnTokenCreation = false };
    private (RsaSecurityKey Key, DateTimeOffset CreatedAt)[] _keys = [];

    public string Issuer => options.Value.Issuer;

    public TimeSpan Lifetime => options.Value.TokenLifetime;

    public JsonWebTokenHandler Handler => _handler;

    // Resolved when first needed: the store's change sinks include this service, so it cannot take the store in its constructor.
    private ITesseraStore Store => services.GetRequiredService<ITesseraStore>();

    /// <summary>The keys a token may be signed with now: the newest, and each older one until its last token has expired.</summary>
    public IReadOnlyList<RsaSecurityKey> Keys
    {
        get
        {
            var keys = _keys;
            var now = time.GetUtcNow();
            var accepted = new List<RsaSecurityKey>(keys.Length);
            for (var i = 0; i < keys.Length; i++)
            {
                // A key stops signing when the next one is made; its tokens live one lifetime (and the clock skew) more.
                if (i == keys.Length - 1 || now < keys[i + 1].CreatedAt + Lifetime + ClockSkew)
                    accepted.Add(keys[i].Key);
            }
            return accepted;
        }
    }

    public async ValueTask InitializeAsync(CancellationToken cancellationToken)
    {
        if ((await Store.GetSigningKeysAsync(cancellationToken)).Count == 0)
            await Store.AddFirstSigningKeyAsync(NewKey(), cancellationToken); // another node's first start may win: its key serves all
        await ReloadAsync(cancellationToken);
    }

    /// <summary>Makes a new signing key; from the moment this returns, every node's new tokens are signed with it.</summary>
    public async ValueTask<string> RotateAsync(AuditEvent auditEvent, CancellationToken cancellationToken)
    {
        var key = NewKey();
        await Store.AddSigningKeyAsync(key, auditEvent, cancellationToken);
        await ReloadAsync(cancellationToken);
        return key.KeyId;
    }

    /// <summary>A rotation made on another node: load the keys again.</summary>
    public void Apply(ChangeSet changes)
    {
        if (changes.Credentials.Any(c => c.Kind == CredentialKind.SigningKeyAdded) && _keys.Length > 0)
            _ = Task.Run(() => ReloadAsync(CancellationToken.None).AsTask());
    }

    private async ValueTask ReloadAsync(CancellationToken cancellationToken)
    {
        var stored = await Store.GetSigningKeysAsync(cancellationToken);
        _keys = stored.OrderBy(k => k.CreatedAt).Select(k => (ToSecurityKey(k), k.CreatedAt)).ToArray();
    }

    private SigningKey NewKey()
    {
        using var rsa = RSA.Create(2048);
        return new SigningKey(Ids.NewHex32()[..12], rsa.ExportPkcs8PrivateKey(), time.GetUtcNow());
    }

    /// <summary>A token for <paramref name="identity"/>, exchanged for the API key <paramref name="apiKeyId"/>: deleting either ends it.</summary>
    public IssuedToken Issue(Model.Identity identity, string apiKeyId)
    {
        var now = time.GetUtcNow();
        var expires = now + Lifetime;
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = expires.UtcDateTime,
            SigningCredentials = new SigningCredentials(_keys[^1].Key, SecurityAlgorithms.RsaSha256),
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
                [ApiKeyIdClaim] = apiKeyId,
            },
        };
        return new IssuedToken(_handler.CreateToken(descriptor), expires);
    }

    /// <summary>The API key a token was exchanged for (Tessera's own claim; IBM's clients ignore claims they do not know).</summary>
    public const string ApiKeyIdClaim = "apikey_id";

    public TokenValidationParameters ValidationParameters() => new()
    {
        ValidIssuer = Issuer,
        ValidateAudience = false,
        ValidateLifetime = true,
        RequireExpirationTime = true,
        RequireSignedTokens = true,
        ValidAlgorithms = [SecurityAlgorithms.RsaSha256],
        IssuerSigningKeys = Keys,
        // A token names its key: one whose kid is not a current key is refused, not tried against every key.
        TryAllIssuerSigningKeys = false,
        ClockSkew = ClockSkew,
        // The same clock as issuing and the verified-token cache, so that all three agree on when a token expires.
        LifetimeValidator = (notBefore, expires, _, _) =>
        {
            var now = time.GetUtcNow().UtcDateTime;
            return expires is { } end && now < end + ClockSkew && (notBefore is not { } start || start - ClockSkew <= now);
        },
    };

    private static RsaSecurityKey ToSecurityKey(SigningKey key)
    {
        var rsa = RSA.Create();
        rsa.ImportPkcs8PrivateKey(key.PrivateKeyPkcs8, out _);
        return new RsaSecurityKey(rsa) { KeyId = key.KeyId };
    }
}

internal sealed record IssuedToken(string AccessToken, DateTimeOffset ExpiresAt);
