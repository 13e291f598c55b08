using System.Net;
using Tessera.Policies;
using Tessera.Storage;

namespace Tessera.Server.Tests;

/// <summary>
/// R7 against interleaved writes: no grant outlives what it names. Each round deletes a service ID, an instance, an access
/// group or a member while creates that name it race in; afterwards no live policy or membership may be bound to the
/// deleted thing, whichever order the writes took. (The HTTP suite runs over SQLite and over PostgreSQL.)
/// </summary>
public class ReferenceRaceTests(TesseraApp app) : IClassFixture<TesseraApp>
{
    private const int Rounds = 12;
    private static readonly string[] RoleNames = ["Viewer", "Operator", "Editor", "Administrator"];
    private static readonly string[] Services = ["kms", "cloud-object-storage"];

    [Fact]
    public async Task DeletingAServiceId_WhileItsPoliciesAreCreated_LeavesNoLivePolicyForIt()
    {
        var tenant = await app.NewTenantAsync("race-serviceid");
        var orphans = 0;
        for (var round = 0; round < Rounds; round++)
        {
            var iamId = await NewServiceIdAsync(tenant, $"bot-{round}");
            var creates = AccessGrants(tenant, "iam_id", iamId);
            await Task.WhenAll([Send(tenant, HttpMethod.Delete, $"/v1/serviceids/{iamId["iam-".Length..]}"), .. creates]);
            orphans += (await LivePoliciesAsync(tenant, p => p.SubjectValue(AttributeNames.IamId) == iamId)).Count;
        }
        Assert.Equal(0, orphans);
    }

    [Fact]
    public async Task DeletingAnInstance_WhileAuthorizationsToItAreCreated_LeavesNoLiveAuthorizationForIt()
    {
        var tenant = await app.NewTenantAsync("race-instance");
        var orphans = 0;
        for (var round = 0; round < Rounds; round++)
        {
            var target = await tenant.CreateInstanceAsync("cloud-object-storage");
            var creates = Enumerable.Range(0, 8).Select(i => Send(tenant, HttpMethod.Post, "/v1/policies", Policies.Authorization(
                [$"accountId={tenant.AccountId}", "serviceName=atracker", $"serviceInstance=source-{round}-{i}"],
                [Policies.ObjectWriter],
                [$"accountId={tenant.AccountId}", "serviceName=cloud-object-storage", $"serviceInstance={target.Guid}"])));
            await Task.WhenAll([Send(tenant, HttpMethod.Delete, $"/v2/resource_instances/{target.Guid}"), .. creates]);
            orphans += (await LivePoliciesAsync(tenant, p => p.ResourceValue(AttributeNames.ServiceInstance) == target.Guid)).Count;
        }
        Assert.Equal(0, orphans);
    }

    [Fact]
    public async Task DeletingAnAccessGroup_WhileItsPoliciesAreCreated_LeavesNoLivePolicyForIt()
    {
        var tenant = await app.NewTenantAsync("race-group");
        var orphans = 0;
        for (var round = 0; round < Rounds; round++)
        {
            var groupId = await NewAccessGroupAsync(tenant, $"group-{round}");
            var creates = AccessGrants(tenant, "access_group_id", groupId);
            await Task.WhenAll([Send(tenant, HttpMethod.Delete, $"/v2/groups/{groupId}"), .. creates]);
            orphans += (await LivePoliciesAsync(tenant, p => p.SubjectValue(AttributeNames.AccessGroupId) == groupId)).Count;
        }
        Assert.Equal(0, orphans);
    }

    [Fact]
    public async Task DeletingAResourceGroup_WhileAuthorizationsToItAreCreated_LeavesNoLiveAuthorizationForIt()
    {
        var tenant = await app.NewTenantAsync("race-resource-group");
        var orphans = 0;
        for (var round = 0; round < Rounds; round++)
        {
            var (_, group, _) = await tenant.Client.SendAsync(HttpMethod.Post, "/v2/resource_groups", new { name = $"team-{round}", account_id = tenant.AccountId });
            var groupId = group.GetProperty("id").GetString()!;
            var creates = Enumerable.Range(0, 8).Select(i => Send(tenant, HttpMethod.Post, "/v1/policies", Policies.Authorization(
                [$"accountId={tenant.AccountId}", "serviceName=atracker", $"serviceInstance=source-{round}-{i}"],
                [Policies.ObjectWriter],
                [$"accountId={tenant.AccountId}", "serviceName=cloud-object-storage", $"resourceGroupId={groupId}"])));
            await Task.WhenAll([Send(tenant, HttpMethod.Delete, $"/v2/resource_groups/{groupId}"), .. creates]);
            orphans += (await LivePoliciesAsync(tenant, p => PolicyBindings.NamesResourceGroup(p, groupId))).Count;
        }
        Assert.Equal(0, orphans);
    }

    [Fact]
    public async Task DeletingAServiceId_WhileItIsAddedToGroups_LeavesNoLiveMembership()
    {
        var tenant = await app.NewTenantAsync("race-member");
        var groups = new List<string>();
        for (var i = 0; i < 6; i++)
            groups.Add(await NewAccessGroupAsync(tenant, $"members-{i}"));
        var orphans = 0;
        for (var round = 0; round < Rounds; round++)
        {
            var iamId = await NewServiceIdAsync(tenant, $"member-{round}");
            var adds = groups.Select(g => Send(tenant, HttpMethod.Put, $"/v2/groups/{g}/members", new { members = new[] { new { iam_id = iamId } } }));
            await Task.WhenAll([Send(tenant, HttpMethod.Delete, $"/v1/serviceids/{iamId["iam-".Length..]}"), .. adds]);
            foreach (var group in groups)
                orphans += (await app.Store.ListMembersAsync(group, CancellationToken.None)).Count(m => m.IamId == iamId);
        }
        Assert.Equal(0, orphans);
    }

    /// <summary>Eight distinct access policies for one subject, sent at once.</summary>
    private static IEnumerable<Task> AccessGrants(Tenant tenant, string subjectAttribute, string subject) =>
        from service in Services
        from role in RoleNames
        select Send(tenant, HttpMethod.Post, "/v1/policies",
            Policies.Access(subjectAttribute, subject, [Policies.PlatformRole(role)], [$"accountId={tenant.AccountId}", $"serviceName={service}"]));

    private static async Task Send(Tenant tenant, HttpMethod method, string path, object? body = null)
    {
        var (status, response, _) = await tenant.Client.SendAsync(method, path, body);
        // Each write either happens or is refused cleanly; a 5xx would be a failure of its own.
        Assert.True((int)status < 500, $"{method} {path}: {(int)status} {response}");
    }

    private static async Task<string> NewServiceIdAsync(Tenant tenant, string name)
    {
        var (status, serviceId, _) = await tenant.Client.SendAsync(HttpMethod.Post, "/v1/serviceids", new { account_id = tenant.AccountId, name });
        Assert.Equal(HttpStatusCode.Created, status);
        return serviceId.GetProperty("iam_id").GetString()!;
    }

    private static async Task<string> NewAccessGroupAsync(Tenant tenant, string name)
    {
        var (status, group, _) = await tenant.Client.SendAsync(HttpMethod.Post, $"/v2/groups?account_id={tenant.AccountId}", new { name });
        Assert.Equal(HttpStatusCode.Created, status);
        return group.GetProperty("id").GetString()!;
    }

    private async Task<List<Policy>> LivePoliciesAsync(Tenant tenant, Func<Policy, bool> boundToDeleted)
    {
        var live = new List<Policy>();
        await foreach (var policy in app.Store.ReadActivePoliciesAsync(CancellationToken.None))
        {
            if (policy.AccountId == tenant.AccountId && boundToDeleted(policy))
                live.Add(policy);
        }
        return live;
    }
}
