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
    public async Task ARequestWithATokenAheadOfTheNode_WaitsForTheWrite_ThenAnswers()
    {
        var tenant = await app.NewTenantAsync("waiting-tokens");
        var next = $"ct1.{await app.Store.GetRevisionAsync(CancellationToken.None) + 1}";

        // Held until the next commit (this fixture waits up to 2 s for one), which the write below makes.
        var waiting = tenant.Client.SendAsync(HttpMethod.Get, $"/v1/policies?account_id={tenant.AccountId}", null, ("Consistency-Token", next));
        await Task.Delay(50);
        Assert.False(waiting.IsCompleted);
        var (created, policy, _) = await tenant.Client.SendAsync(HttpMethod.Post, "/v1/policies", Policies.AtrackerToCos(tenant.AccountId));

        var (status, list, _) = await waiting;
        Assert.Equal((HttpStatusCode.Created, HttpStatusCode.OK), (created, status));
        Assert.Equal(policy.GetProperty("id").GetString(), Assert.Single(list.GetProperty("policies").EnumerateArray()).GetProperty("id").GetString());
    }

    [Fact]
    public async Task ATokenThisNodeHasNotReached_IsA503ToRetry_AndAMalformedOneA400()
    {
        var tenant = await app.NewTenantAsync("future-tokens");

        var (future, body, response) = await tenant.Client.SendAsync(HttpMethod.Get, $"/v1/policies?account_id={tenant.AccountId}", null,
            ("Consistency-Token", "ct1.99999999"));
        Http.AssertIbmError(body, HttpStatusCode.ServiceUnavailable, "service_unavailable");
        Assert.Equal((HttpStatusCode.ServiceUnavailable, "1"), (future, response.Headers.RetryAfter?.ToString()));

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
}
