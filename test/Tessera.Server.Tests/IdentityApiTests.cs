using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Tessera.Server.Tests;

public class IdentityApiTests(TesseraApp app) : IClassFixture<TesseraApp>
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Token_ExchangesAnApiKeyWithOrWithoutBasicBxBx(bool basic)
    {
        var tenant = await app.OperatorAsync();
        using var client = app.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/identity/token")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "urn:ibm:params:oauth:grant-type:apikey",
                ["apikey"] = TesseraApp.OperatorApiKey,
                ["response_type"] = "cloud_iam",
            }),
        };
        if (basic)
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String("bx:bx"u8.ToArray()));

        using var response = await client.SendAsync(request);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Bearer", body.GetProperty("token_type").GetString());
        Assert.InRange(body.GetProperty("expires_in").GetInt64(), 3500, 3600);
        Assert.InRange(body.GetProperty("expiration").GetInt64() - DateTimeOffset.UtcNow.ToUnixTimeSeconds(), 3500, 3601);
        Assert.True(body.TryGetProperty("refresh_token", out _));

        var jwt = new JsonWebToken(body.GetProperty("access_token").GetString());
        Assert.Equal("RS256", jwt.Alg);
        Assert.False(string.IsNullOrEmpty(jwt.Kid));
        Assert.Equal(tenant.OwnerIamId, jwt.GetClaim("iam_id").Value);
        Assert.Equal(tenant.OwnerIamId, jwt.GetClaim("id").Value);
        Assert.Equal("user", jwt.GetClaim("sub_type").Value);
        Assert.False(string.IsNullOrEmpty(jwt.Subject));
        Assert.Contains("https://iam.cloud.ibm.com", jwt.Issuer, StringComparison.Ordinal);
        Assert.True(jwt.TryGetPayloadValue<JsonElement>("account", out var account));
        Assert.Equal(tenant.AccountId, account.GetProperty("bss").GetString());
        Assert.Equal(3600, (jwt.ValidTo - jwt.IssuedAt).TotalSeconds);
    }

    [Fact]
    public async Task Keys_VerifyTheIssuedTokens()
    {
        using var client = app.CreateClient();
        var token = await app.TokenAsync(TesseraApp.OperatorApiKey);

        var jwks = await client.GetStringAsync(new Uri("/identity/keys", UriKind.Relative));
        var keys = new JsonWebKeySet(jwks).GetSigningKeys();
        var result = await new JsonWebTokenHandler().ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidateIssuer = false,
            ValidateAudience = false,
            IssuerSigningKeys = keys,
        });

        Assert.True(result.IsValid, result.Exception?.Message);
        Assert.DoesNotContain("\"d\"", jwks, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("grant_type=urn:ibm:params:oauth:grant-type:apikey&apikey=not-a-key", "BXNIM0415E")]
    [InlineData("grant_type=urn:ibm:params:oauth:grant-type:apikey", "BXNIM0109E")]
    [InlineData("grant_type=password&apikey=x", "BXNIM0109E")]
    public async Task Token_RejectsBadRequestsWith400InTheTokenServersShape(string form, string code)
    {
        using var client = app.CreateClient();
        using var response = await client.PostAsync(new Uri("/identity/token", UriKind.Relative),
            new StringContent(form, Encoding.UTF8, "application/x-www-form-urlencoded"));
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(code, body.GetProperty("errorCode").GetString());
        Assert.False(string.IsNullOrEmpty(body.GetProperty("errorMessage").GetString()));
    }

    [Fact]
    public async Task Token_RejectsANonFormBody()
    {
        using var client = app.CreateClient();
        var (status, body, _) = await client.SendAsync(HttpMethod.Post, "/identity/token", """{"apikey":"x"}""");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("BXNIM0109E", body.GetProperty("errorCode").GetString());
    }

    public static TheoryData<string> ForgedTokens()
    {
        var header = Base64Url("""{"alg":"none","typ":"JWT"}""");
        var claims = Base64Url("""{"iam_id":"IBMid-X","id":"IBMid-X","account":{"bss":"acc"},"iss":"https://iam.cloud.ibm.com/identity","exp":4102444800,"iat":1700000000}""");
        return new TheoryData<string>
        {
            "not-a-jwt",
            $"{header}.{claims}.",
            $"{header}.{claims}",
            SignedWith(RSA.Create(2048), "https://iam.cloud.ibm.com/identity", DateTime.UtcNow.AddHours(1)),
        };
    }

    [Theory]
    [MemberData(nameof(ForgedTokens))]
    public async Task Api_RejectsForgedTokens(string token)
    {
        var tenant = await app.OperatorAsync();
        using var client = app.CreateClient();
        client.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", "Bearer " + token);

        var (status, body, _) = await client.SendAsync(HttpMethod.Get, $"/v1/policies?account_id={tenant.AccountId}");

        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Http.AssertIbmError(body, HttpStatusCode.Unauthorized, "invalid_token");
    }

    [Fact]
    public async Task Api_RejectsExpiredAndForeignIssuerTokensSignedWithTheRealKey()
    {
        var tenant = await app.OperatorAsync();
        var signingKey = (await app.Store.GetSigningKeysAsync(CancellationToken.None))[0];
        var rsa = RSA.Create();
        rsa.ImportPkcs8PrivateKey(signingKey.PrivateKeyPkcs8, out _);

        foreach (var token in new[]
                 {
                     SignedWith(rsa, "https://iam.cloud.ibm.com/identity", DateTime.UtcNow.AddMinutes(-5), signingKey.KeyId),
                     SignedWith(rsa, "https://evil.example/identity", DateTime.UtcNow.AddHours(1), signingKey.KeyId),
                 })
        {
            using var client = app.CreateClient();
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            var (status, _, _) = await client.SendAsync(HttpMethod.Get, $"/v1/policies?account_id={tenant.AccountId}");
            Assert.Equal(HttpStatusCode.Unauthorized, status);
        }

        // The same key with a valid issuer and lifetime is accepted, so the two refusals above are about expiry and issuer.
        using var valid = app.CreateClient();
        valid.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer",
            SignedWith(rsa, "https://iam.cloud.ibm.com/identity", DateTime.UtcNow.AddHours(1), signingKey.KeyId, tenant));
        Assert.Equal(HttpStatusCode.OK, (await valid.SendAsync(HttpMethod.Get, $"/v1/policies?account_id={tenant.AccountId}")).Status);
    }

    [Fact]
    public async Task Api_WithoutAnyTokenIs401()
    {
        using var client = app.CreateClient();

        foreach (var path in new[] { "/v1/policies?account_id=x", "/v2/roles", "/v1/catalog/services", "/v1/policies/some-id" })
        {
            var (status, body, _) = await client.SendAsync(HttpMethod.Get, path);
            Assert.Equal(HttpStatusCode.Unauthorized, status);
            Http.AssertIbmError(body, HttpStatusCode.Unauthorized, "invalid_token");
        }
    }

    private static string SignedWith(RSA rsa, string issuer, DateTime expires, string keyId = "rogue", Tenant? tenant = null) =>
        new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            IssuedAt = expires.AddHours(-1),
            NotBefore = expires.AddHours(-1),
            Expires = expires,
            SigningCredentials = new SigningCredentials(new RsaSecurityKey(rsa) { KeyId = keyId }, SecurityAlgorithms.RsaSha256),
            Claims = new Dictionary<string, object>
            {
                ["iam_id"] = tenant?.OwnerIamId ?? "IBMid-X",
                ["id"] = tenant?.OwnerIamId ?? "IBMid-X",
                ["sub_type"] = "user",
                ["account"] = new Dictionary<string, object> { ["bss"] = tenant?.AccountId ?? "acc" },
            },
        });

    private static string Base64Url(string json) => Convert.ToBase64String(Encoding.UTF8.GetBytes(json)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
