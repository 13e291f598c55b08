using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Tessera.Server.Tests;

/// <summary>
/// <c>POST /v2/policies/batch</c>, Tessera's many-creates-at-once (what <c>tessera apply</c> sends): every item under the
/// rules of a single create, in one transaction at one revision with one event each — all of them, or none.
/// </summary>
public class PolicyBatchTests(TesseraApp app) : IClassFixture<TesseraApp>
{
    [Fact]
    public async Task ABatch_CreatesEveryPolicy_AtOneRevision_WithAnEventEach()
    {
        var owner = await app.NewTenantAsync("batch-ok");
        var instances = Enumerable.Range(0, 3).Select(_ => Guid.NewGuid().ToString()).ToArray();

        var (status, body, response) = await owner.Client.SendAsync(HttpMethod.Post, "/v2/policies/batch", Batch(owner.AccountId, instances));

        Assert.Equal(HttpStatusCode.Created, status);
        var created = body.GetProperty("policies").EnumerateArray().ToArray();
        Assert.Equal(instances, created.Select(p => Instance(p)));
        Assert.True(response.Headers.Contains("Consistency-Token"));
        var ids = created.Select(p => p.GetProperty("id").GetString()).ToHashSet();
        foreach (var id in ids)
            Assert.Equal(HttpStatusCode.OK, (await owner.Client.SendAsync(HttpMethod.Get, $"/v1/policies/{id}")).Status);

        var events = (await owner.Client.EventsAsync(owner.AccountId, "&action=iam-am.policy.create"))
            .Where(e => ids.Contains(e.GetProperty("target").GetProperty("id").GetString()![(e.GetProperty("target").GetProperty("id").GetString()!.LastIndexOf(':') + 1)..]))
            .ToList();
        Assert.Equal(3, events.Count);
        Assert.Single(events.Select(e => e.GetProperty("revision").GetInt64()).Distinct());
    }

    [Fact]
    public async Task ABatchWithOneRefusedItem_CreatesNothing_AndTheErrorNamesTheItem()
    {
        var owner = await app.NewTenantAsync("batch-refused");
        var other = await app.NewTenantAsync("batch-elsewhere");
        var batch = Batch(owner.AccountId, [Guid.NewGuid().ToString(), Guid.NewGuid().ToString()]);
        // The second item targets an account the caller does not administer (R3).
        batch["policies"]![1] = Policies.V2Authorization(["serviceName=cloud-object-storage", $"accountId={other.AccountId}"], [Policies.Reader],
            ["serviceName=kms", $"accountId={other.AccountId}"]);

        var (status, body, _) = await owner.Client.SendAsync(HttpMethod.Post, "/v2/policies/batch", batch);

        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.StartsWith("policies[1]: ", Http.AssertIbmError(body, HttpStatusCode.Forbidden, "insufficent_permissions"));
        Assert.Empty(await PoliciesOfAsync(owner));
    }

    [Fact]
    public async Task ABatchRepeatingAPolicy_OrOneThatExists_CreatesNothing()
    {
        var owner = await app.NewTenantAsync("batch-conflict");
        var instance = Guid.NewGuid().ToString();
        var (twiceStatus, twice, _) = await owner.Client.SendAsync(HttpMethod.Post, "/v2/policies/batch", Batch(owner.AccountId, [instance, instance]));
        Assert.Equal(HttpStatusCode.Conflict, twiceStatus);
        Assert.StartsWith("policies[1]: ", Http.AssertIbmError(twice, HttpStatusCode.Conflict, "policy_conflict_error"));
        Assert.Empty(await PoliciesOfAsync(owner));

        Assert.Equal(HttpStatusCode.Created, (await owner.Client.SendAsync(HttpMethod.Post, "/v2/policies/batch", Batch(owner.AccountId, [instance]))).Status);
        var (againStatus, _, _) = await owner.Client.SendAsync(HttpMethod.Post, "/v2/policies/batch", Batch(owner.AccountId, [Guid.NewGuid().ToString(), instance]));
        Assert.Equal(HttpStatusCode.Conflict, againStatus);
        Assert.Single(await PoliciesOfAsync(owner));
    }

    [Theory]
    [InlineData("""{}""", "policies is required")]
    [InlineData("""{"policies":[]}""", "policies")]
    [InlineData("""{"policies":[{"type":"authorization"}]}""", "policies[0]: ")]
    [InlineData("""{"policies":[],"extra":1}""", "extra")]
    public async Task ABadBatch_IsA400_NamingWhatIsWrong(string json, string mentioned)
    {
        var owner = await app.NewTenantAsync("batch-bad");
        var (status, body, _) = await owner.Client.SendAsync(HttpMethod.Post, "/v2/policies/batch", JsonNode.Parse(json)!);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains(mentioned, Http.AssertIbmError(body, HttpStatusCode.BadRequest, "invalid_body"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task MoreThanAThousand_IsA400()
    {
        var owner = await app.NewTenantAsync("batch-large");
        var (status, body, _) = await owner.Client.SendAsync(HttpMethod.Post, "/v2/policies/batch",
            Batch(owner.AccountId, [.. Enumerable.Range(0, 1001).Select(_ => Guid.NewGuid().ToString())]));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("1000", Http.AssertIbmError(body, HttpStatusCode.BadRequest, "invalid_body"), StringComparison.Ordinal);
        Assert.Empty(await PoliciesOfAsync(owner));
    }

    private static JsonObject Batch(string account, string[] instances) =>
        new() { ["policies"] = new JsonArray([.. instances.Select(i => (JsonNode)Policies.V2Authorization(["serviceName=cloud-object-storage", $"accountId={account}"],
            [Policies.Reader], ["serviceName=kms", $"accountId={account}", $"serviceInstance={i}"]))]) };

    private static string? Instance(JsonElement policy) =>
        policy.GetProperty("resource").GetProperty("attributes").EnumerateArray().First(a => a.GetProperty("key").GetString() == "serviceInstance")
            .GetProperty("value").GetString();

    private static async Task<List<JsonElement>> PoliciesOfAsync(Tenant owner)
    {
        var (_, page, _) = await owner.Client.SendAsync(HttpMethod.Get, $"/v2/policies?account_id={owner.AccountId}&type=authorization");
        return [.. page.GetProperty("policies").EnumerateArray()];
    }
}
