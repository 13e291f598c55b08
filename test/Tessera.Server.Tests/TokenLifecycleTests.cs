using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Tessera.Server.Tests;

/// <summary>
/// Tokens that die when their credential does, a signing key that rotates without a gap, and tokens refused for their
/// shape even when signed with the real key: a string <c>exp</c>, an unknown <c>kid</c>, a <c>crit</c> header, an
/// <c>iat</c> from the future.
/// </summary>
public class TokenLifecycleTests(TesseraApp app) : IClassFixture<TesseraApp>
{
    [Fact]
    public async Task TokensSignedWithTheRealKey_AreRefusedForTheirShape()
    {
        var owner = await app.OperatorAsync();
        var key = (await app.Store.GetSigningKeysAsync(CancellationToken.None))[^1];
        using var rsa = RSA.Create();
        rsa.ImportPkcs8PrivateKey(key.PrivateKeyPkcs8, out _);
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        string Payload(string exp, string iat) =>
            $$$"""{"iss":"https://iam.cloud.ibm.com/identity","exp":{{{exp}}},"iat":{{{iat}}},"iam_id":"{{{owner.OwnerIamId}}}","id":"{{{owner.OwnerIamId}}}","sub_type":"user","account":{"bss":"{{{owner.AccountId}}}"}}""";
        var valid = Payload($"{now + 3000}", $"{now}");
        string Header(string kid, string extra = "") => $$$"""{"alg":"RS256","typ":"JWT","kid":"{{{kid}}}"{{{extra}}}}""";

        Assert.Equal(HttpStatusCode.OK, await StatusWithAsync(Sign(rsa, Header(key.KeyId), valid), owner.AccountId));
        foreach (var (name, token) in new[]
        {
            ("exp as a string", Sign(rsa, Header(key.KeyId), Payload($"\"{now + 3000}\"", $"{now}"))),
            ("unknown kid", Sign(rsa, Header("no-such-key"), valid)),
            ("no kid", Sign(rsa, """{"alg":"RS256","typ":"JWT"}""", valid)),
            ("crit header", Sign(rsa, Header(key.KeyId, ""","crit":["exp"]"""), valid)),
            ("iat an hour ahead", Sign(rsa, Header(key.KeyId), Payload($"{now + 7200}", $"{now + 3600}"))),
            ("iat as a string", Sign(rsa, Header(key.KeyId), Payload($"{now + 3000}", $"\"{now}\""))),
        })
        {
            Assert.True(await StatusWithAsync(token, owner.AccountId) == HttpStatusCode.Unauthorized, name);
        }
    }

    [Fact]
    public async Task DeletingAnApiKey_EndsItsTokensAtOnce_ButNotTheIdentitysOtherKeys()
    {
        var owner = await app.OperatorAsync();
        var serviceId = await CreateServiceIdAsync(owner, "revoked-by-key");
        var (firstKey, firstToken) = await KeyAndTokenAsync(owner, serviceId);
        var (_, secondToken) = await KeyAndTokenAsync(owner, serviceId);
        Assert.Equal(HttpStatusCode.OK, await StatusWithAsync(firstToken, owner.AccountId, "/v1/apikeys/details", firstKey.Secret));

        Assert.Equal(HttpStatusCode.NoContent, (await owner.Client.SendAsync(HttpMethod.Delete, $"/v1/apikeys/{firstKey.Id}")).Status);

        Assert.Equal(HttpStatusCode.Unauthorized, await StatusWithAsync(firstToken, owner.AccountId));
        Assert.Equal(HttpStatusCode.OK, await StatusWithAsync(secondToken, owner.AccountId));
    }

    [Fact]
    public async Task DeletingAServiceIdOrRemovingAUser_EndsTheirTokensAtOnce()
    {
        var owner = await app.OperatorAsync();
        var serviceId = await CreateServiceIdAsync(owner, "revoked-by-identity");
        var (_, serviceIdToken) = await KeyAndTokenAsync(owner, serviceId);
        var (_, user, _) = await owner.Client.SendAsync(HttpMethod.Post, $"/v2/accounts/{owner.AccountId}/users", new { email = "leaver@example.test" });
        var userIamId = user.GetProperty("iam_id").GetString()!;
        var (_, userToken) = await KeyAndTokenAsync(owner, userIamId);
        Assert.Equal(HttpStatusCode.OK, await StatusWithAsync(userToken, owner.AccountId));

        Assert.Equal(HttpStatusCode.NoContent, (await owner.Client.SendAsync(HttpMethod.Delete, $"/v1/serviceids/{serviceId["iam-".Length..]}")).Status);
        Assert.Equal(HttpStatusCode.NoContent, (await owner.Client.SendAsync(HttpMethod.Delete, $"/v2/accounts/{owner.AccountId}/users/{userIamId}")).Status);

        Assert.Equal(HttpStatusCode.Unauthorized, await StatusWithAsync(serviceIdToken, owner.AccountId));
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusWithAsync(userToken, owner.AccountId));
        var (ownerRemoval, error, _) = await owner.Client.SendAsync(HttpMethod.Delete, $"/v2/accounts/{owner.AccountId}/users/{owner.OwnerIamId}");
        Assert.Equal(HttpStatusCode.BadRequest, ownerRemoval);
        Assert.Contains("owns account", Http.AssertIbmError(error, HttpStatusCode.BadRequest, "invalid_body"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RotatingTheSigningKey_SignsNewTokensWithIt_AndKeepsTheOldOnesValid()
    {
        var owner = await app.OperatorAsync();
        var stranger = await app.NewTenantAsync("rotator");
        var oldToken = owner.Client.DefaultRequestHeaders.Authorization!.Parameter!;
        var oldKid = Kid(oldToken);

        var (refused, _, _) = await stranger.Client.SendAsync(HttpMethod.Post, "/identity/keys");
        var (status, rotated, _) = await owner.Client.SendAsync(HttpMethod.Post, "/identity/keys");

        Assert.Equal(HttpStatusCode.Forbidden, refused);
        Assert.Equal(HttpStatusCode.Created, status);
        var newKid = rotated.GetProperty("kid").GetString();
        Assert.NotEqual(oldKid, newKid);
        var newToken = await app.TokenAsync(TesseraApp.OperatorApiKey);
        Assert.Equal(newKid, Kid(newToken));
        Assert.Equal(HttpStatusCode.OK, await StatusWithAsync(oldToken, owner.AccountId));
        Assert.Equal(HttpStatusCode.OK, await StatusWithAsync(newToken, owner.AccountId));
        using var anonymous = app.CreateClient();
        var (_, keys, _) = await anonymous.SendAsync(HttpMethod.Get, "/identity/keys");
        var published = keys.GetProperty("keys").EnumerateArray().Select(k => k.GetProperty("kid").GetString()).ToList();
        Assert.Contains(oldKid, published);
        Assert.Contains(newKid, published);
        Assert.Single(await app.Store.ListEventsAsync(new Tessera.Storage.EventQuery { AccountId = owner.AccountId, Action = "iam-identity.signing-key.create" },
            CancellationToken.None));
    }

    private async Task<HttpStatusCode> StatusWithAsync(string token, string accountId, string? path = null, string? apiKey = null)
    {
        using var client = app.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var headers = apiKey is null ? [] : new[] { ("IAM-ApiKey", apiKey) };
        return (await client.SendAsync(HttpMethod.Get, path ?? $"/v2/resource_groups?account_id={accountId}", null, headers)).Status;
    }

    private static async Task<string> CreateServiceIdAsync(Tenant owner, string name)
    {
        var (status, body, _) = await owner.Client.SendAsync(HttpMethod.Post, "/v1/serviceids", new { account_id = owner.AccountId, name });
        Assert.Equal(HttpStatusCode.Created, status);
        return body.GetProperty("iam_id").GetString()!;
    }

    private async Task<((string Id, string Secret) Key, string Token)> KeyAndTokenAsync(Tenant owner, string iamId)
    {
        var (status, key, _) = await owner.Client.SendAsync(HttpMethod.Post, "/v1/apikeys", new { name = "k", iam_id = iamId, account_id = owner.AccountId });
        Assert.Equal(HttpStatusCode.Created, status);
        var secret = key.GetProperty("apikey").GetString()!;
        return ((key.GetProperty("id").GetString()!, secret), await app.TokenAsync(secret));
    }

    private static string? Kid(string token) => new JsonWebToken(token).Kid;

    private static string Sign(RSA rsa, string header, string payload)
    {
        var signed = $"{Base64UrlEncoder.Encode(header)}.{Base64UrlEncoder.Encode(payload)}";
        var signature = rsa.SignData(Encoding.ASCII.GetBytes(signed), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return $"{signed}.{Base64UrlEncoder.Encode(signature)}";
    }
}
