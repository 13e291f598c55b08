using System.Net;

namespace Tessera.Server.Tests;

/// <summary>R9 on one node, over either store: every write hands out a consistency token, and every request honours one.</summary>
public class ConsistencyTokenTests(TesseraApp app) : IClassFixture<TesseraApp>
{
    [Fact]
    public async Task Writes_AnswerWithAToken_ThatReadsAndDecisionsHonour()
    {
        var tenant = await app.NewTenantAsync("tokens");
        var (created, policy, response) = await tenant.Client.SendAsync(HttpMethod.Post, "/v1/policies", Policies.AtrackerToCos(tenant.AccountId));
        Assert.Equal(HttpStatusCode.Created, created);
        var token = Assert.Single(response.Headers.GetValues("Consistency-Token"));
        Assert.Equal($"ct1.{await app.Store.GetRevisionAsync(CancellationToken.None)}", token);
        Assert.False((await tenant.Client.SendAsync(HttpMethod.Get, "/v1/policies/" + policy.GetProperty("id").GetString())).Response.Headers.Contains("Consistency-Token"));

        var (read, _, _) = await tenant.Client.SendAsync(HttpMethod.Get, $"/v1/policies/{policy.GetProperty("id").GetString()}", null, ("Consistency-Token", token));
        Assert.Equal(HttpStatusCode.OK, read);
        var (decided, decision, _) = await tenant.Client.SendAsync(HttpMethod.Post, "/access/v1/evaluation", new
        {
            subject = new { type = "service", id = $"crn:v1:bluemix:public:atracker:us-south:a/{tenant.AccountId}:at-1::" },
            action = new { name = "cloud-object-storage.object.put" },
            resource = new { type = "bucket", id = $"crn:v1:bluemix:public:cloud-object-storage:global:a/{tenant.AccountId}:cos-1:bucket:b" },
            context = new { consistency_token = token },
        });
        Assert.Equal((HttpStatusCode.OK, true), (decided, decision.GetProperty("decision").GetBoolean()));
    }

    [Fact]
    public async Task ATokenNoWriteHasReached_IsA400AtOnce_AndAMalformedOneA400()
    {
        var tenant = await app.NewTenantAsync("future-tokens");
        var started = System.Diagnostics.Stopwatch.StartNew();

        var (future, body, _) = await tenant.Client.SendAsync(HttpMethod.Get, $"/v1/policies?account_id={tenant.AccountId}", null,
            ("Consistency-Token", "ct1.99999999"));

        // Not held for the fixture's 2 s wait: the store is behind the token, so no node will ever reach it.
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(1.5), $"{started.Elapsed}");
        Assert.Equal(HttpStatusCode.BadRequest, future);
        Assert.Contains("no write has reached", Http.AssertIbmError(body, HttpStatusCode.BadRequest, "invalid_consistency_token"), StringComparison.Ordinal);

        var (malformed, malformedBody, _) = await tenant.Client.SendAsync(HttpMethod.Post, "/access/v1/evaluation", new
        {
            subject = new { type = "service", id = "crn:v1:bluemix:public:atracker:us-south:a/x:i::" },
            action = new { name = "a" },
            resource = new { type = "t", id = "crn:v1:bluemix:public:kms:us-south:a/x:k::" },
            context = new { consistency_token = "revision 7" },
        });
        Http.AssertIbmError(malformedBody, HttpStatusCode.BadRequest, "invalid_consistency_token");
        Assert.Equal(HttpStatusCode.BadRequest, malformed);
    }

    [Fact]
    public async Task AnUnauthenticatedRequest_IsNeverHeldByAToken()
    {
        using var anonymous = app.CreateClient();
        var ahead = $"ct1.{await app.Store.GetRevisionAsync(CancellationToken.None) + 1_000_000}";
        var started = System.Diagnostics.Stopwatch.StartNew();

        using var healthRequest = new HttpRequestMessage(HttpMethod.Get, new Uri("/healthz", UriKind.Relative)) { Headers = { { "Consistency-Token", ahead } } };
        using var healthResponse = await anonymous.SendAsync(healthRequest);
        var health = healthResponse.StatusCode;
        using var form = new FormUrlEncodedContent(new Dictionary<string, string> { ["grant_type"] = "urn:ibm:params:oauth:grant-type:apikey", ["apikey"] = "x" });
        using var token = new HttpRequestMessage(HttpMethod.Post, new Uri("/identity/token", UriKind.Relative)) { Content = form, Headers = { { "Consistency-Token", ahead } } };
        using var tokenResponse = await anonymous.SendAsync(token);

        Assert.True(started.Elapsed < TimeSpan.FromSeconds(1.5), $"{started.Elapsed}");
        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.BadRequest), (health, tokenResponse.StatusCode));
    }
}
