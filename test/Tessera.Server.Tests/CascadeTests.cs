using System.Net;
using System.Text.Json;
using Tessera.Policies;

namespace Tessera.Server.Tests;

/// <summary>
/// R7: removals cascade in the same transaction — instances take the policies bound to them (as source, as target, and
/// those they created as delegators), service IDs their keys and policies, access groups their policies. Each cascade is
/// checked in the store, in the decision API and in the trail.
/// </summary>
public class CascadeTests(TesseraApp app) : IClassFixture<TesseraApp>
{
    [Fact]
    public async Task RemovingAnInstance_DeletesEveryPolicyBoundToIt_AtOnce_WithOneEventEach()
    {
        var tenant = await app.NewTenantAsync("cascade-instance");
        var source = await tenant.CreateInstanceAsync("cloud-object-storage");
        var target = await tenant.CreateInstanceAsync("kms");
        var user = await app.AddUserAsync(tenant, "dev@cascade-instance.test");
        var asSource = await AuthorizeAsync(tenant, "cloud-object-storage", source.Guid, target.Guid);
        var access = await tenant.GrantAsync(user.IamId, [Policies.PlatformRole("Viewer")], "serviceName=kms", $"serviceInstance={target.Guid}");
        var unrelated = await AuthorizeAsync(tenant, "event-notifications", null, null);
        var subject = new { type = "service", id = source.Crn };
        Assert.True(await tenant.Client.DecideAsync(subject, "kms.secrets.unwrap", target.Crn));

        Assert.Equal(HttpStatusCode.NoContent, (await tenant.Client.SendAsync(HttpMethod.Delete, $"/v2/resource_instances/{target.Guid}")).Status);

        Assert.Equal([PolicyState.Deleted, PolicyState.Deleted, PolicyState.Active], await StatesAsync(asSource, access, unrelated));
        Assert.False(await tenant.Client.DecideAsync(subject, "kms.secrets.unwrap", target.Crn));
        var events = await tenant.Client.EventsAsync(tenant.AccountId, "&action=iam-am.policy.delete");
        Assert.Equal(new[] { access, asSource }.Order(), events.Select(e => e.GetProperty("target").GetProperty("name").GetString()!).Order());
        Assert.All(events, e => Assert.Contains($"because instance {target.Crn} was deleted", e.GetProperty("message").GetString(), StringComparison.Ordinal));
        var instanceEvent = Assert.Single(await tenant.Client.EventsAsync(tenant.AccountId, "&action=resource-controller.instance.delete"));
        Assert.Equal(target.Crn, instanceEvent.GetProperty("target").GetProperty("id").GetString());
        Assert.Equal(events[0].GetProperty("revision").GetInt64(), instanceEvent.GetProperty("revision").GetInt64());

        // A new instance never inherits: grants bound to the old GUID.
        var recreated = await tenant.CreateInstanceAsync("kms");
        Assert.False(await tenant.Client.DecideAsync(subject, "kms.secrets.unwrap", recreated.Crn));
    }

    [Fact]
    public async Task ADelegator_AuthorizesItsDependents_AndTheirPoliciesGoWhenEitherIsRemoved()
    {
        var tenant = await app.NewTenantAsync("cascade-delegation");
        var database = await tenant.CreateInstanceAsync("databases-for-postgresql");
        var keys = await tenant.CreateInstanceAsync("kms");
        var otherKeys = await tenant.CreateInstanceAsync("kms");
        var dependent = await tenant.CreateInstanceAsync("cloud-object-storage");
        var secondDependent = await tenant.CreateInstanceAsync("event-notifications");
        var (delegation, delegationBody, _) = await tenant.Client.SendAsync(HttpMethod.Post, "/v1/policies", Policies.Authorization(
            [$"accountId={tenant.AccountId}", "serviceName=databases-for-postgresql", $"serviceInstance={database.Guid}"],
            [Policies.Reader, Policies.AuthorizationDelegator],
            [$"accountId={tenant.AccountId}", "serviceName=kms", $"serviceInstance={keys.Guid}"]));
        Assert.True(delegation == HttpStatusCode.Created, delegationBody.ToString());
        var databaseKey = await tenant.CreateApiKeyAsync("crn-" + database.Crn);
        using var databaseClient = await app.ClientForKeyAsync(databaseKey);

        var delegated = await DelegateAsync(databaseClient, tenant, "cloud-object-storage", dependent.Guid, keys.Guid);
        var secondDelegated = await DelegateAsync(databaseClient, tenant, "event-notifications", secondDependent.Guid, keys.Guid);
        Assert.Equal(database.Crn, delegated.GetProperty("created_by_id").GetString());
        Assert.Equal(HttpStatusCode.OK, (await databaseClient.SendAsync(HttpMethod.Get, $"/v1/policies/{delegated.GetProperty("id").GetString()}")).Status);
        var (elsewhere, _, _) = await databaseClient.SendAsync(HttpMethod.Post, "/v1/policies", Policies.Authorization(
            [$"accountId={tenant.AccountId}", "serviceName=cloud-object-storage", $"serviceInstance={dependent.Guid}"], [Policies.Reader],
            [$"accountId={tenant.AccountId}", "serviceName=kms", $"serviceInstance={otherKeys.Guid}"]));
        Assert.Equal(HttpStatusCode.Forbidden, elsewhere);
        Assert.True(await tenant.Client.DecideAsync(new { type = "service", id = dependent.Crn }, "kms.secrets.unwrap", keys.Crn));

        // The dependent goes: its delegated policy goes with it.
        Assert.Equal(HttpStatusCode.NoContent, (await tenant.Client.SendAsync(HttpMethod.Delete, $"/v2/resource_instances/{dependent.Guid}")).Status);
        Assert.Equal([PolicyState.Deleted, PolicyState.Active], await StatesAsync(delegated.GetProperty("id").GetString()!, secondDelegated.GetProperty("id").GetString()!));

        // The delegator goes: what it created goes, and so does its own authorization.
        Assert.Equal(HttpStatusCode.NoContent, (await tenant.Client.SendAsync(HttpMethod.Delete, $"/v2/resource_instances/{database.Guid}")).Status);
        var delegationId = delegationBody.GetProperty("id").GetString()!;
        Assert.Equal([PolicyState.Deleted, PolicyState.Deleted], await StatesAsync(secondDelegated.GetProperty("id").GetString()!, delegationId));
        Assert.False(await tenant.Client.DecideAsync(new { type = "service", id = secondDependent.Crn }, "kms.secrets.unwrap", keys.Crn));
        var deletions = await tenant.Client.EventsAsync(tenant.AccountId, "&action=iam-am.policy.delete");
        Assert.Equal(3, deletions.Count);
        await Assert.ThrowsAsync<HttpRequestException>(() => app.TokenAsync(databaseKey));
    }

    [Fact]
    public async Task DeletingAServiceId_DeletesItsKeysAndPolicies_AndDeletingAnAccessGroup_ItsPolicies()
    {
        var tenant = await app.NewTenantAsync("cascade-identity");
        var kms = await tenant.CreateInstanceAsync("kms");
        var (_, serviceId, _) = await tenant.Client.SendAsync(HttpMethod.Post, "/v1/serviceids", new { account_id = tenant.AccountId, name = "job" });
        var iamId = serviceId.GetProperty("iam_id").GetString()!;
        var secret = await tenant.CreateApiKeyAsync(iamId);
        var granted = await tenant.GrantAsync(iamId, [Policies.PlatformRole("Viewer")], "serviceName=kms");
        var token = await app.TokenAsync(secret);
        var identity = new { type = "token", id = token };
        Assert.True(await tenant.Client.DecideAsync(identity, "resource-controller.instance.retrieve", kms.Crn));

        Assert.Equal(HttpStatusCode.NoContent, (await tenant.Client.SendAsync(HttpMethod.Delete, $"/v1/serviceids/{serviceId.GetProperty("id").GetString()}")).Status);

        Assert.Equal([PolicyState.Deleted], await StatesAsync(granted));
        await Assert.ThrowsAsync<HttpRequestException>(() => app.TokenAsync(secret));
        Assert.False(await tenant.Client.DecideAsync(new { type = "user", id = iamId }, "resource-controller.instance.retrieve", kms.Crn));
        var deletion = Assert.Single(await tenant.Client.EventsAsync(tenant.AccountId, "&action=iam-am.policy.delete"));
        Assert.Contains("was deleted", deletion.GetProperty("message").GetString(), StringComparison.Ordinal);
        var keyDeletion = Assert.Single(await tenant.Client.EventsAsync(tenant.AccountId, "&action=iam-identity.apikey.delete"));
        Assert.Equal(deletion.GetProperty("revision").GetInt64(), keyDeletion.GetProperty("revision").GetInt64());

        var (_, group, _) = await tenant.Client.SendAsync(HttpMethod.Post, $"/v2/groups?account_id={tenant.AccountId}", new { name = "readers" });
        var groupId = group.GetProperty("id").GetString()!;
        var (_, groupPolicy, _) = await tenant.Client.SendAsync(HttpMethod.Post, "/v1/policies",
            Policies.Access("access_group_id", groupId, [Policies.PlatformRole("Viewer")], [$"accountId={tenant.AccountId}", "serviceName=kms"]));
        Assert.Equal(HttpStatusCode.NoContent, (await tenant.Client.SendAsync(HttpMethod.Delete, $"/v2/groups/{groupId}")).Status);
        Assert.Equal([PolicyState.Deleted], await StatesAsync(groupPolicy.GetProperty("id").GetString()!));
        Assert.Equal(2, (await tenant.Client.EventsAsync(tenant.AccountId, "&action=iam-am.policy.delete")).Count);
    }

    [Fact]
    public async Task DeletingAResourceGroup_DeletesEveryPolicyThatNamesIt_WithOneEventEach()
    {
        var tenant = await app.NewTenantAsync("cascade-group");
        var (_, group, _) = await tenant.Client.SendAsync(HttpMethod.Post, "/v2/resource_groups", new { name = "team-a", account_id = tenant.AccountId });
        var groupId = group.GetProperty("id").GetString()!;
        var user = await app.AddUserAsync(tenant, "dev@cascade-group.test");
        async Task<string> CreateAsync(object body)
        {
            var (status, created, _) = await tenant.Client.SendAsync(HttpMethod.Post, "/v1/policies", body);
            Assert.True(status == HttpStatusCode.Created, created.ToString());
            return created.GetProperty("id").GetString()!;
        }
        var asSource = await CreateAsync(Policies.Authorization(
            [$"accountId={tenant.AccountId}", "serviceName=cloud-object-storage", $"resourceGroupId={groupId}"], [Policies.Reader],
            [$"accountId={tenant.AccountId}", "serviceName=kms"]));
        var asTarget = await CreateAsync(Policies.Authorization(
            [$"accountId={tenant.AccountId}", "serviceName=cloud-object-storage"], [Policies.Reader],
            [$"accountId={tenant.AccountId}", "serviceName=kms", $"resourceGroupId={groupId}"]));
        var access = await tenant.GrantAsync(user.IamId, [Policies.PlatformRole("Viewer")], "serviceName=kms", $"resourceGroupId={groupId}");
        var unrelated = await AuthorizeAsync(tenant, "event-notifications", null, null);

        Assert.Equal(HttpStatusCode.NoContent, (await tenant.Client.SendAsync(HttpMethod.Delete, $"/v2/resource_groups/{groupId}")).Status);

        Assert.Equal([PolicyState.Deleted, PolicyState.Deleted, PolicyState.Deleted, PolicyState.Active], await StatesAsync(asSource, asTarget, access, unrelated));
        var events = await tenant.Client.EventsAsync(tenant.AccountId, "&action=iam-am.policy.delete");
        Assert.Equal(new[] { asSource, asTarget, access }.Order(), events.Select(e => e.GetProperty("target").GetProperty("name").GetString()!).Order());
        Assert.All(events, e => Assert.Contains($"because resource group {groupId} was deleted", e.GetProperty("message").GetString(), StringComparison.Ordinal));
        var groupEvent = Assert.Single(await tenant.Client.EventsAsync(tenant.AccountId, "&action=resource-controller.group.delete"));
        Assert.Equal(events[0].GetProperty("revision").GetInt64(), groupEvent.GetProperty("revision").GetInt64());
    }

    private static async Task<string> AuthorizeAsync(Tenant tenant, string source, string? sourceInstance, string? targetInstance)
    {
        string[] subject = sourceInstance is null
            ? [$"accountId={tenant.AccountId}", $"serviceName={source}"]
            : [$"accountId={tenant.AccountId}", $"serviceName={source}", $"serviceInstance={sourceInstance}"];
        string[] resource = targetInstance is null
            ? [$"accountId={tenant.AccountId}", "serviceName=kms"]
            : [$"accountId={tenant.AccountId}", "serviceName=kms", $"serviceInstance={targetInstance}"];
        var (status, body, _) = await tenant.Client.SendAsync(HttpMethod.Post, "/v1/policies", Policies.Authorization(subject, [Policies.Reader], resource));
        Assert.True(status == HttpStatusCode.Created, body.ToString());
        return body.GetProperty("id").GetString()!;
    }

    private static async Task<JsonElement> DelegateAsync(HttpClient delegator, Tenant tenant, string dependentService, string dependent, string kms)
    {
        var (status, body, _) = await delegator.SendAsync(HttpMethod.Post, "/v1/policies", Policies.Authorization(
            [$"accountId={tenant.AccountId}", $"serviceName={dependentService}", $"serviceInstance={dependent}"], [Policies.Reader],
            [$"accountId={tenant.AccountId}", "serviceName=kms", $"serviceInstance={kms}"]));
        Assert.True(status == HttpStatusCode.Created, body.ToString());
        return body;
    }

    /// <summary>The policies' states as the store holds them.</summary>
    private async Task<List<PolicyState>> StatesAsync(params string[] policyIds)
    {
        var states = new List<PolicyState>();
        foreach (var id in policyIds)
            states.Add((await app.Store.GetPolicyAsync(id, CancellationToken.None))!.State);
        return states;
    }
}
