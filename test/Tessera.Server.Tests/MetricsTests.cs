using System.Net;

namespace Tessera.Server.Tests;

/// <summary><c>/metrics</c>: Prometheus' text format, with the decision, management, token and store instruments.</summary>
public class MetricsTests(TesseraApp app) : IClassFixture<TesseraApp>
{
    [Fact]
    public async Task Metrics_CountDecisionsWritesRefusalsAndTheTokenCache_InPrometheusText()
    {
        var tenant = await app.NewTenantAsync("metrics");
        Assert.Equal(HttpStatusCode.Created, (await tenant.Client.SendAsync(HttpMethod.Post, "/v1/policies", Policies.AtrackerToCos(tenant.AccountId, "cos-1"))).Status);
        var stranger = await app.NewTenantAsync("metrics-stranger");
        Assert.Equal(HttpStatusCode.Forbidden,
            (await stranger.Client.SendAsync(HttpMethod.Post, "/v1/policies", Policies.AtrackerToCos(tenant.AccountId, "cos-2"))).Status);
        Assert.True(await tenant.Client.DecideAsync(new { type = "service", id = $"crn:v1:bluemix:public:atracker:us-south:a/{tenant.AccountId}:at-1::" },
            "cloud-object-storage.object.put", $"crn:v1:bluemix:public:cloud-object-storage:global:a/{tenant.AccountId}:cos-1::"));

        // Anonymous, as a Prometheus scraper asks.
        using var scraper = app.CreateClient();
        using var response = await scraper.GetAsync(new Uri("/metrics", UriKind.Relative));
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
        Assert.Matches("""tessera_decisions_total\{[^}]*endpoint="evaluation"[^}]*outcome="permit"[^}]*\} [1-9]""", text);
        Assert.Matches("""tessera_decision_duration_seconds_bucket\{[^}]*endpoint="evaluation"[^}]*\}""", text);
        Assert.Matches("""tessera_management_writes_total\{[^}]*operation="policy.create"[^}]*outcome="created"[^}]*\} [1-9]""", text);
        Assert.Matches("""tessera_management_writes_total\{[^}]*operation="policy.create"[^}]*outcome="refused"[^}]*\} [1-9]""", text);
        Assert.Matches("""tessera_refusals_total\{[^}]*action="iam-am.policy.create"[^}]*\} [1-9]""", text);
        Assert.Matches("""tessera_token_cache_total\{[^}]*result="hit"[^}]*\} [1-9]""", text);
        Assert.Matches("""tessera_store_revision\{[^}]*\} [1-9]""", text);
        // Nothing in it names an account.
        Assert.DoesNotContain(tenant.AccountId, text, StringComparison.Ordinal);
    }
}
