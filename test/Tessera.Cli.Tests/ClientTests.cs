using System.Net;
using Tessera.Client;
using Tessera.Client.Models;

namespace Tessera.Cli.Tests;

/// <summary><c>Tessera.Client</c> used directly, as a .NET target service would: its typed error, cancellation, paging and the stream.</summary>
public sealed class ClientTests(CliServer server) : IClassFixture<CliServer>
{
    [Fact]
    public async Task AnErrorAnswer_IsATesseraApiException_WithCodeMessageAndTransactionId()
    {
        using var client = TesseraClient.ForApiKey(server.Url, CliServer.OperatorKey);
        var error = await Assert.ThrowsAsync<TesseraApiException>(() => client.GetPolicyAsync("no-such-policy"));
        Assert.Equal(HttpStatusCode.NotFound, error.Status);
        Assert.Equal("policy_not_found", error.Code);
        Assert.Equal("Policy with Id no-such-policy not found.", error.ServerMessage);
        Assert.Matches("^[0-9a-f]{32}$", error.TransactionId);

        using var wrongKey = TesseraClient.ForApiKey(server.Url, "not-a-key");
        var refused = await Assert.ThrowsAsync<TesseraApiException>(() => wrongKey.GetCatalogAsync());
        Assert.Equal(("BXNIM0415E", HttpStatusCode.BadRequest), (refused.Code, refused.Status));
    }

    [Fact]
    public async Task EveryCallTakesACancellationToken_AndHonoursIt()
    {
        using var client = TesseraClient.ForApiKey(server.Url, CliServer.OperatorKey);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.GetCatalogAsync(cancelled.Token));

        // The stream runs until it is cancelled: the trail's first events, then nothing more until the token ends it.
        using var soon = new CancellationTokenSource(TimeSpan.FromSeconds(3));
        var seen = 0;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var _ in client.StreamEventsAsync(new EventFilter(server.OperatorAccountId), 0, soon.Token))
                seen++;
        });
        Assert.True(seen > 0);
    }

    [Fact]
    public async Task ListsFollowEveryPage_AndAWriteIsReadBackThroughItsConsistencyToken()
    {
        var (accountId, key) = await server.NewAccountAsync();
        using var client = TesseraClient.ForApiKey(server.Url, key);
        for (var i = 0; i < 5; i++)
            await client.CreateServiceIdAsync(accountId, $"sid-{i}");
        Assert.NotNull(client.ConsistencyToken);

        var created = await client.CreatePoliciesAsync([.. Enumerable.Range(0, 3).Select(_ => Authorization(accountId, Guid.NewGuid().ToString()))]);
        Assert.Equal(3, created.Count);
        var listed = new List<PolicyV1>();
        await foreach (var policy in client.ListPoliciesAsync(new PolicyFilter(accountId) { Type = PolicyTypes.Authorization, PageSize = 2 }))
            listed.Add(policy);
        Assert.Equal(created.Select(p => p.Id).Order(), listed.Select(p => p.Id).Order());

        var identity = await client.GetIdentityAsync();
        Assert.Equal(accountId, identity.AccountId);
    }

    [Fact]
    public async Task AReplaceNeedsTheCurrentETag_AndManyDecisionsAndActionsComeBackInOrder()
    {
        var (accountId, key) = await server.NewAccountAsync();
        using var client = TesseraClient.ForApiKey(server.Url, key);
        var instance = Guid.NewGuid().ToString();
        var created = await client.CreatePolicyAsync(Authorization(accountId, instance));

        var (current, etag) = await client.GetPolicyV2ForUpdateAsync(created.Id!);
        var replaced = await client.ReplacePolicyAsync(created.Id!, etag, current with { Description = "replaced" });
        Assert.Equal("replaced", replaced.Description);
        var stale = await Assert.ThrowsAsync<TesseraApiException>(() => client.ReplacePolicyAsync(created.Id!, etag, current));
        Assert.Equal(HttpStatusCode.PreconditionFailed, stale.Status);

        var source = AuthZenEntity.Service($"crn:v1:bluemix:public:cloud-object-storage:global:a/{accountId}:cos-1::");
        var keys = new AuthZenEntity { Type = "instance", Id = $"crn:v1:bluemix:public:kms:us-south:a/{accountId}:{instance}::" };
        var others = new AuthZenEntity { Type = "instance", Id = $"crn:v1:bluemix:public:kms:us-south:a/{accountId}:{Guid.NewGuid()}::" };
        var decisions = await client.EvaluateManyAsync(new EvaluationsRequest([new EvaluationItem { Resource = keys }, new EvaluationItem { Resource = others }])
        {
            Subject = source,
            Action = new AuthZenAction { Name = "kms.secrets.readmetadata" },
        });
        Assert.Equal([true, false], decisions.Items.Select(d => d.Value));

        var actions = new List<string>();
        await foreach (var action in client.SearchActionsAsync(new SearchRequest { Subject = source, Resource = keys }))
            actions.Add(action.GetProperty("name").GetString()!);
        Assert.Contains("kms.secrets.readmetadata", actions);
    }

    private static PolicyV2 Authorization(string accountId, string instance) => new()
    {
        Type = PolicyTypes.Authorization,
        Subject = new V2AttributeSet { Attributes = [Equals("serviceName", "cloud-object-storage"), Equals("accountId", accountId)] },
        Resource = new V2AttributeSet { Attributes = [Equals("serviceName", "kms"), Equals("accountId", accountId), Equals("serviceInstance", instance)] },
        Control = new V2Control { Grant = new V2Grant { Roles = [new PolicyRole { RoleId = "crn:v1:bluemix:public:iam::::serviceRole:Reader" }] } },
    };

    private static V2AttributeEntry Equals(string key, string value) =>
        new() { Key = key, Operator = "stringEquals", Value = System.Text.Json.JsonSerializer.SerializeToElement(value, ClientJsonContext.Default.String) };
}
