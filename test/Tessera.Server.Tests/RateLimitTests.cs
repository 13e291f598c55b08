using System.Net;
using Microsoft.AspNetCore.Hosting;

namespace Tessera.Server.Tests;

/// <summary>A Tessera with small rate limits, so that a test can spend a budget.</summary>
public sealed class RateLimitedApp : TesseraApp
{
    protected override bool RateLimitsEnabled => true;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        foreach (var (budget, perSecond, burst) in new[] { ("Token", 1, 4), ("Writes", 1, 3), ("Decisions", 1, 3), ("Reads", 1000, 1000), ("Anonymous", 1, 2) })
        {
            builder.UseSetting($"RateLimits:{budget}:PerSecond", perSecond.ToString(System.Globalization.CultureInfo.InvariantCulture));
            builder.UseSetting($"RateLimits:{budget}:Burst", burst.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
    }
}

/// <summary>
/// Each budget is its own — the token endpoint's, writes', decisions' — and each identity has its own: spending one
/// leaves the others whole. A refused request is a 429 with <c>Retry-After</c> in IBM's envelope.
/// </summary>
public class RateLimitTests(RateLimitedApp app) : IClassFixture<RateLimitedApp>
{
    [Fact]
    public async Task Budgets_ArePerIdentityAndPerKindOfRequest_AndARefusalSaysWhenToRetry()
    {
        // Two tokens of the four the endpoint allows in a burst; the rest is spent guessing below.
        var owner = await app.OperatorAsync();
        var other = await app.NewTenantAsync("rate-limited");

        var writes = new List<HttpStatusCode>();
        for (var i = 0; i < 5; i++)
            writes.Add((await owner.Client.SendAsync(HttpMethod.Post, "/v1/serviceids", new { account_id = owner.AccountId, name = $"s{i}" })).Status);
        var (refused, error, response) = await owner.Client.SendAsync(HttpMethod.Post, "/v1/serviceids", new { account_id = owner.AccountId, name = "late" });

        Assert.Equal(HttpStatusCode.Created, writes[0]);
        Assert.Contains(HttpStatusCode.TooManyRequests, writes);
        Assert.Equal(HttpStatusCode.TooManyRequests, refused);
        Assert.Contains("writes budget", Http.AssertIbmError(error, HttpStatusCode.TooManyRequests, "too_many_requests"), StringComparison.Ordinal);
        Assert.True(response.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
        // The same identity still reads and decides; another identity still writes.
        Assert.Equal(HttpStatusCode.OK, (await owner.Client.SendAsync(HttpMethod.Get, $"/v1/serviceids?account_id={owner.AccountId}")).Status);
        Assert.Equal(HttpStatusCode.OK, (await owner.Client.SendAsync(HttpMethod.Post, "/access/v1/evaluation", Decision(owner.AccountId))).Status);
        Assert.Equal(HttpStatusCode.Created, (await other.Client.SendAsync(HttpMethod.Post, "/v1/serviceids", new { account_id = other.AccountId, name = "s" })).Status);
    }

    [Fact]
    public async Task Decisions_SpendABudgetOfTheirOwn()
    {
        var tenant = await app.NewTenantAsync("decides-a-lot");

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 5; i++)
            statuses.Add((await tenant.Client.SendAsync(HttpMethod.Post, "/access/v1/evaluation", Decision(tenant.AccountId))).Status);
        var (_, error, response) = await tenant.Client.SendAsync(HttpMethod.Post, "/access/v1/evaluations",
            new { evaluations = new[] { Decision(tenant.AccountId) } });

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK], statuses.Take(3));
        Assert.Equal(HttpStatusCode.TooManyRequests, statuses[^1]);
        Assert.Contains("decisions budget", Http.AssertIbmError(error, HttpStatusCode.TooManyRequests, "too_many_requests"), StringComparison.Ordinal);
        Assert.True(response.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
        Assert.Equal(HttpStatusCode.Created, (await tenant.Client.SendAsync(HttpMethod.Post, "/v1/serviceids", new { account_id = tenant.AccountId, name = "s" })).Status);
    }

    private static object Decision(string account) => new
    {
        subject = new { type = "service", id = $"crn:v1:bluemix:public:atracker:us-south:a/{account}:at-1::" },
        action = new { name = "cloud-object-storage.object.put" },
        resource = new { type = "bucket", id = $"crn:v1:bluemix:public:cloud-object-storage:global:a/{account}:cos-1:bucket:b" },
    };
}

/// <summary>The token endpoint's budget, per client address, on a fixture of its own (its budget is spent here).</summary>
public class TokenRateLimitTests(RateLimitedApp app) : IClassFixture<RateLimitedApp>
{
    [Fact]
    public async Task GuessingApiKeys_MeetsTheTokenBudget()
    {
        using var client = app.CreateClient();
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 8; i++)
        {
            using var response = await client.PostAsync(new Uri("/identity/token", UriKind.Relative), new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "urn:ibm:params:oauth:grant-type:apikey",
                ["apikey"] = $"guess-{i}",
            }));
            statuses.Add(response.StatusCode);
        }

        Assert.Contains(HttpStatusCode.BadRequest, statuses);
        Assert.Equal(HttpStatusCode.TooManyRequests, statuses[^1]);
    }
}

/// <summary>The console's sign-in exchanges API keys too: it spends the token endpoint's budget, not the larger anonymous one.</summary>
public class ConsoleSignInRateLimitTests(RateLimitedApp app) : IClassFixture<RateLimitedApp>
{
    [Fact]
    public async Task GuessingApiKeysThroughTheConsole_MeetsTheTokenBudget()
    {
        using var client = app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var statuses = new List<HttpStatusCode>();
        var page = string.Empty;
        for (var i = 0; i < 8; i++)
        {
            using var response = await client.PostAsync(new Uri("/console/signin", UriKind.Relative),
                new FormUrlEncodedContent(new Dictionary<string, string> { ["apikey"] = $"guess-{i}" }));
            statuses.Add(response.StatusCode);
            page = await response.Content.ReadAsStringAsync();
        }

        // The token budget here is a burst of 4 (the anonymous one would allow only 2, so the first 429 says which).
        Assert.Equal([.. Enumerable.Repeat(HttpStatusCode.BadRequest, 4), .. Enumerable.Repeat(HttpStatusCode.TooManyRequests, 4)], statuses);
        // A page for the browser, not the API's JSON.
        Assert.Contains("<h1>Too many attempts</h1>", page, StringComparison.Ordinal);
    }
}
