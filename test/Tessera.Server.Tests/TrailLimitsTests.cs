using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Tessera.Server.Audit;
using Tessera.Storage;

namespace Tessera.Server.Tests;

/// <summary>
/// The trail under pressure: refusals are limited per trail (a flood aimed elsewhere does not keep an account's own out
/// of its trail, and a trail that lost some says how many), failed token exchanges reach the operator's trail, and the
/// operator's retention exports events before it removes them.
/// </summary>
public class TrailLimitsTests(TesseraApp app) : IClassFixture<TesseraApp>
{
    [Fact]
    public async Task AFloodOfBadTokensElsewhere_KeepsNoneOfAnAccountsRefusalsOutOfItsTrail()
    {
        var victim = await app.NewTenantAsync("trail-victim");
        var stranger = await app.NewTenantAsync("trail-stranger");
        var (_, policy, _) = await victim.Client.SendAsync(HttpMethod.Post, "/v1/policies", Policies.AtrackerToCos(victim.AccountId));
        var policyId = policy.GetProperty("id").GetString();
        using var forged = app.CreateClient();
        forged.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "forged");

        var flood = Enumerable.Range(0, 120).Select(_ => forged.SendAsync(HttpMethod.Get, "/v1/policies?account_id=x")).ToList();
        for (var i = 0; i < 30; i++)
            Assert.Equal(HttpStatusCode.NotFound, (await stranger.Client.SendAsync(HttpMethod.Get, $"/v1/policies/{policyId}")).Status);
        await Task.WhenAll(flood);
        await app.RefusalsWrittenAsync();

        var refused = await victim.Client.EventsAsync(victim.AccountId, "&action=iam-am.policy.read");
        Assert.Equal(30, refused.Count);
    }

    [Fact]
    public async Task RefusalsBeyondTheBudget_AreCountedInTheTrailThatLostThem()
    {
        var victim = await app.NewTenantAsync("trail-counted");
        var stranger = await app.NewTenantAsync("trail-counter");
        var (_, policy, _) = await victim.Client.SendAsync(HttpMethod.Post, "/v1/policies", Policies.AtrackerToCos(victim.AccountId));
        var policyId = policy.GetProperty("id").GetString();

        await Task.WhenAll(Enumerable.Range(0, 150).Select(_ => stranger.Client.SendAsync(HttpMethod.Get, $"/v1/policies/{policyId}")));
        await app.RefusalsWrittenAsync();
        // The counts of one second are written by the next tick of the writer.
        var unrecorded = 0L;
        for (var attempt = 0; attempt < 50 && 150 != unrecorded + (await victim.Client.EventsAsync(victim.AccountId, "&action=iam-am.policy.read")).Count; attempt++)
        {
            await Task.Delay(100);
            unrecorded = (await victim.Client.EventsAsync(victim.AccountId, "&action=iam-am.refusals.unrecorded"))
                .Sum(e => e.GetProperty("responseData").GetProperty("unrecorded").GetInt64());
        }

        var recorded = (await victim.Client.EventsAsync(victim.AccountId, "&action=iam-am.policy.read")).Count;
        Assert.True(unrecorded > 0, $"{recorded} recorded, none counted as unrecorded");
        Assert.Equal(150, recorded + unrecorded);
    }

    [Fact]
    public async Task AFailedTokenExchange_IsInTheOperatorsTrail_WithoutTheKey()
    {
        var owner = await app.OperatorAsync();
        using var anonymous = app.CreateClient();
        using var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "urn:ibm:params:oauth:grant-type:apikey",
            ["apikey"] = "guessed-key-0123456789",
        });

        using var response = await anonymous.PostAsync(new Uri("/identity/token", UriKind.Relative), form);
        await app.RefusalsWrittenAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var failed = Assert.Single(await owner.Client.EventsAsync(owner.AccountId, "&action=iam-identity.apikey.login"));
        Assert.Equal("failure", failed.GetProperty("outcome").GetString());
        Assert.DoesNotContain("guessed-key", failed.ToString(), StringComparison.Ordinal);
    }
}

/// <summary>A Tessera that keeps only the newest 5 events, exporting the rest.</summary>
public sealed class RetainingApp : TesseraApp
{
    public string ExportDirectory { get; } = Path.Combine(Path.GetTempPath(), "tessera-export-" + Guid.NewGuid().ToString("N"));

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Trail:MaxEvents", "5");
        builder.UseSetting("Trail:IntervalSeconds", "3600");
        builder.UseSetting("Trail:ExportDirectory", ExportDirectory);
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing && Directory.Exists(ExportDirectory))
            Directory.Delete(ExportDirectory, recursive: true);
    }
}

public class TrailRetentionTests(RetainingApp app) : IClassFixture<RetainingApp>
{
    [Fact]
    public async Task Retention_ExportsEveryEventItRemoves_AndKeepsTheNewest()
    {
        var owner = await app.OperatorAsync();
        for (var i = 0; i < 12; i++)
            await owner.Client.SendAsync(HttpMethod.Post, "/v1/serviceids", new { account_id = owner.AccountId, name = $"retained-{i}" });
        var before = await AllEventIdsAsync(owner.AccountId);

        var removed = await app.Services.GetRequiredService<TrailRetention>().PruneAsync(CancellationToken.None);

        var kept = await AllEventIdsAsync(owner.AccountId);
        var exported = Directory.GetFiles(app.ExportDirectory, "*.jsonl").SelectMany(File.ReadAllLines)
            .Select(line => JsonDocument.Parse(line).RootElement.GetProperty("event").GetProperty("id").GetString()!).ToList();
        Assert.True(removed > 0);
        Assert.Equal(5, kept.Count);
        Assert.Equal(exported.Count, exported.Distinct().Count());
        Assert.Empty(kept.Intersect(exported));
        Assert.Superset(before.ToHashSet(), kept.Concat(exported).ToHashSet());
        Assert.Empty(Directory.GetFiles(app.ExportDirectory, "*.partial"));
    }

    private async Task<List<string>> AllEventIdsAsync(string accountId) =>
        [.. (await app.Store.ListEventsAsync(new EventQuery { AccountId = accountId, Limit = 1000 }, CancellationToken.None)).Select(e => e.Id)];
}
