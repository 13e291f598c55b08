using System.Net;

namespace Tessera.Server.Tests;

/// <summary>What a client finds without a token: the OpenID discovery document, and the server's version.</summary>
public class DiscoveryTests(TesseraApp app) : IClassFixture<TesseraApp>
{
    [Fact]
    public async Task OpenIdConfiguration_PointsAtThisServersTokenEndpointAndKeys()
    {
        using var anonymous = app.CreateClient();

        var (status, document, _) = await anonymous.SendAsync(HttpMethod.Get, "/identity/.well-known/openid-configuration");
        var (_, keys, _) = await anonymous.SendAsync(HttpMethod.Get, new Uri(document.GetProperty("jwks_uri").GetString()!).PathAndQuery);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("https://iam.cloud.ibm.com/identity", document.GetProperty("issuer").GetString());
        Assert.Equal("http://localhost/identity/token", document.GetProperty("token_endpoint").GetString());
        Assert.Equal(["RS256"], document.GetProperty("id_token_signing_alg_values_supported").EnumerateArray().Select(a => a.GetString()));
        Assert.Contains("urn:ibm:params:oauth:grant-type:apikey", document.GetProperty("grant_types_supported").EnumerateArray().Select(g => g.GetString()));
        Assert.True(keys.GetProperty("keys").GetArrayLength() >= 1);
    }

    [Fact]
    public async Task Version_SaysWhichBuildAndStore()
    {
        using var anonymous = app.CreateClient();

        var (status, version, _) = await anonymous.SendAsync(HttpMethod.Get, "/version");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Matches(@"^\d+\.\d+\.\d+", version.GetProperty("version").GetString());
        Assert.StartsWith(".NET 10", version.GetProperty("runtime").GetString(), StringComparison.Ordinal);
        Assert.Equal(TesseraApp.OnPostgres ? "postgres" : "sqlite", version.GetProperty("store").GetString());
    }
}
