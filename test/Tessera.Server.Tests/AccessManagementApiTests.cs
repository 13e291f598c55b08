using System.Net;
using System.Text.Json;

namespace Tessera.Server.Tests;

/// <summary>The account, identity, resource and group endpoints: IBM's shapes, preconditions and errors, through HTTP.</summary>
public class AccessManagementApiTests(TesseraApp app) : IClassFixture<TesseraApp>
{
    [Fact]
    public async Task Accounts_TheOperatorCreatesThemWithAnOwnerKeyShownOnce_AndNobodyElseCan()
    {
        var operatorTenant = await app.OperatorAsync();

        var (status, created, _) = await operatorTenant.Client.SendAsync(HttpMethod.Post, "/v2/accounts", new { name = "acme" });

        Assert.Equal(HttpStatusCode.Created, status);
        var accountId = created.GetProperty("account_id").GetString()!;
        Assert.Matches("^[0-9a-f]{32}$", accountId);
        var ownerKey = created.GetProperty("apikey").GetProperty("apikey").GetString()!;
        using var owner = await app.ClientForKeyAsync(ownerKey);
        var (getStatus, account, _) = await owner.SendAsync(HttpMethod.Get, $"/v2/accounts/{accountId}");
        Assert.Equal((HttpStatusCode.OK, created.GetProperty("owner_iam_id").GetString()), (getStatus, account.GetProperty("owner_iam_id").GetString()));
        var (_, groups, _) = await owner.SendAsync(HttpMethod.Get, $"/v2/resource_groups?account_id={accountId}");
        Assert.Equal(created.GetProperty("default_resource_group_id").GetString(), groups.GetProperty("resources")[0].GetProperty("id").GetString());
        Assert.Equal("Default", groups.GetProperty("resources")[0].GetProperty("name").GetString());

        var (refused, body, _) = await owner.SendAsync(HttpMethod.Post, "/v2/accounts", new { name = "not allowed" });
        Http.AssertIbmError(body, HttpStatusCode.Forbidden, "insufficent_permissions");
        Assert.Equal(HttpStatusCode.Forbidden, refused);
        var (hidden, _, _) = await owner.SendAsync(HttpMethod.Get, $"/v2/accounts/{operatorTenant.AccountId}");
        Assert.Equal(HttpStatusCode.NotFound, hidden);
    }

    [Fact]
    public async Task Users_OwnersAddThem_UsersWithoutUserManagementCannot()
    {
        var tenant = await app.NewTenantAsync("users");
        var alice = await app.AddUserAsync(tenant, "alice@users.test");

        var (status, users, _) = await tenant.Client.SendAsync(HttpMethod.Get, $"/v2/accounts/{tenant.AccountId}/users");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains(users.GetProperty("resources").EnumerateArray(), u => u.GetProperty("iam_id").GetString() == alice.IamId && u.GetProperty("email").GetString() == "alice@users.test");

        var (refused, _, _) = await alice.Client.SendAsync(HttpMethod.Post, $"/v2/accounts/{tenant.AccountId}/users", new { email = "bob@users.test" });
        Assert.Equal(HttpStatusCode.Forbidden, refused);
        var (_, hiddenList, _) = await alice.Client.SendAsync(HttpMethod.Get, $"/v2/accounts/{tenant.AccountId}/users");
        Assert.Empty(hiddenList.GetProperty("resources").EnumerateArray());

        await tenant.GrantAsync(alice.IamId, [Policies.Administrator], "serviceName=user-management");
        var (allowed, _, _) = await alice.Client.SendAsync(HttpMethod.Post, $"/v2/accounts/{tenant.AccountId}/users", new { email = "bob@users.test" });
        Assert.Equal(HttpStatusCode.Created, allowed);
        var (bad, badBody, _) = await tenant.Client.SendAsync(HttpMethod.Post, $"/v2/accounts/{tenant.AccountId}/users", new { email = "no-at-sign" });
        Assert.Contains("not an email address", Http.AssertIbmError(badBody, HttpStatusCode.BadRequest, "invalid_body"), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, bad);
    }

    [Fact]
    public async Task ServiceIds_HaveIbmShapes_EntityTags_AndLocks()
    {
        var tenant = await app.NewTenantAsync("sids");
        var (status, created, _) = await tenant.Client.SendAsync(HttpMethod.Post, "/v1/serviceids",
            new { account_id = tenant.AccountId, name = "router", description = "routes events" });
        Assert.Equal(HttpStatusCode.Created, status);
        var id = created.GetProperty("id").GetString()!;
        Assert.StartsWith("ServiceId-", id, StringComparison.Ordinal);
        Assert.Equal("iam-" + id, created.GetProperty("iam_id").GetString());
        Assert.Equal($"crn:v1:bluemix:public:iam-identity::a/{tenant.AccountId}::serviceid:{id}", created.GetProperty("crn").GetString());
        Assert.Equal(("1", false), (created.GetProperty("entity_tag").GetString(), created.GetProperty("locked").GetBoolean()));

        var (missing, _, _) = await tenant.Client.SendAsync(HttpMethod.Put, $"/v1/serviceids/{id}", new { name = "renamed" });
        Assert.Equal(HttpStatusCode.PreconditionRequired, missing);
        var (stale, _, _) = await tenant.Client.SendAsync(HttpMethod.Put, $"/v1/serviceids/{id}", new { name = "renamed" }, ("If-Match", "7"));
        Assert.Equal(HttpStatusCode.PreconditionFailed, stale);
        var (updated, renamed, _) = await tenant.Client.SendAsync(HttpMethod.Put, $"/v1/serviceids/{id}", new { name = "renamed" }, ("If-Match", "1"));
        Assert.Equal((HttpStatusCode.OK, "renamed", "2"), (updated, renamed.GetProperty("name").GetString(), renamed.GetProperty("entity_tag").GetString()));

        Assert.Equal(HttpStatusCode.NoContent, (await tenant.Client.SendAsync(HttpMethod.Post, $"/v1/serviceids/{id}/lock")).Status);
        var (locked, lockedBody, _) = await tenant.Client.SendAsync(HttpMethod.Delete, $"/v1/serviceids/{id}");
        Http.AssertIbmError(lockedBody, HttpStatusCode.Conflict, "entity_locked");
        Assert.Equal(HttpStatusCode.Conflict, locked);
        Assert.Equal(HttpStatusCode.NoContent, (await tenant.Client.SendAsync(HttpMethod.Delete, $"/v1/serviceids/{id}/lock")).Status);

        var (_, list, _) = await tenant.Client.SendAsync(HttpMethod.Get, $"/v1/serviceids?account_id={tenant.AccountId}");
        Assert.Contains(list.GetProperty("serviceids").EnumerateArray(), s => s.GetProperty("id").GetString() == id);
        Assert.Equal(HttpStatusCode.NoContent, (await tenant.Client.SendAsync(HttpMethod.Delete, $"/v1/serviceids/{id}")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await tenant.Client.SendAsync(HttpMethod.Get, $"/v1/serviceids/{id}")).Status);
    }

    [Fact]
    public async Task ApiKeys_ShowTheirValueOnce_AuthenticateUntilDeleted_AndAnswerDetailsToTheirHolder()
    {
        var tenant = await app.NewTenantAsync("keys");
        var (_, serviceId, _) = await tenant.Client.SendAsync(HttpMethod.Post, "/v1/serviceids", new { account_id = tenant.AccountId, name = "bot" });
        var (status, created, _) = await tenant.Client.SendAsync(HttpMethod.Post, "/v1/apikeys",
            new { name = "bot key", iam_id = serviceId.GetProperty("iam_id").GetString() });

        Assert.Equal(HttpStatusCode.Created, status);
        var secret = created.GetProperty("apikey").GetString()!;
        var id = created.GetProperty("id").GetString()!;
        Assert.True(secret.Length >= 40);
        var (_, fetched, _) = await tenant.Client.SendAsync(HttpMethod.Get, $"/v1/apikeys/{id}");
        Assert.Equal(string.Empty, fetched.GetProperty("apikey").GetString());
        using var holder = await app.ClientForKeyAsync(secret);
        var (detailsStatus, details, _) = await holder.SendAsync(HttpMethod.Get, "/v1/apikeys/details", null, ("IAM-ApiKey", secret));
        Assert.Equal((HttpStatusCode.OK, id), (detailsStatus, details.GetProperty("id").GetString()));
        Assert.Equal(HttpStatusCode.NotFound, (await holder.SendAsync(HttpMethod.Get, "/v1/apikeys/details", null, ("IAM-ApiKey", "wrong"))).Status);

        var (_, stored, _) = await tenant.Client.SendAsync(HttpMethod.Get, $"/v1/apikeys?account_id={tenant.AccountId}");
        Assert.DoesNotContain(secret, stored.ToString(), StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.NoContent, (await tenant.Client.SendAsync(HttpMethod.Delete, $"/v1/apikeys/{id}")).Status);
        await Assert.ThrowsAsync<HttpRequestException>(() => app.TokenAsync(secret));
    }

    [Fact]
    public async Task ResourceGroups_AreCreatedRenamedAndDeletedOnlyWhenEmpty()
    {
        var tenant = await app.NewTenantAsync("groups");
        var groupId = await tenant.CreateResourceGroupAsync("team-a");
        var (_, patched, _) = await tenant.Client.SendAsync(HttpMethod.Patch, $"/v2/resource_groups/{groupId}", new { name = "team-b" });
        Assert.Equal("team-b", patched.GetProperty("name").GetString());
        Assert.Equal($"crn:v1:bluemix:public:resource-controller:global:a/{tenant.AccountId}::resource-group:{groupId}", patched.GetProperty("crn").GetString());

        var instance = await tenant.CreateInstanceAsync("kms", groupId);
        var (busy, busyBody, _) = await tenant.Client.SendAsync(HttpMethod.Delete, $"/v2/resource_groups/{groupId}");
        Http.AssertIbmError(busyBody, HttpStatusCode.Conflict, "resource_group_not_empty");
        Assert.Equal(HttpStatusCode.Conflict, busy);
        var (defaultStatus, _, _) = await tenant.Client.SendAsync(HttpMethod.Delete, $"/v2/resource_groups/{await tenant.DefaultGroupAsync()}");
        Assert.Equal(HttpStatusCode.Conflict, defaultStatus);

        Assert.Equal(HttpStatusCode.NoContent, (await tenant.Client.SendAsync(HttpMethod.Delete, $"/v2/resource_instances/{instance.Guid}")).Status);
        Assert.Equal(HttpStatusCode.NoContent, (await tenant.Client.SendAsync(HttpMethod.Delete, $"/v2/resource_groups/{groupId}")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await tenant.Client.SendAsync(HttpMethod.Get, $"/v2/resource_groups/{groupId}")).Status);
    }

    [Fact]
    public async Task ResourceInstances_FollowTheResourceControllerContract()
    {
        var tenant = await app.NewTenantAsync("instances");
        var groupId = await tenant.DefaultGroupAsync();
        var (status, created, _) = await tenant.Client.SendAsync(HttpMethod.Post, "/v2/resource_instances",
            new { name = "keys-1", target = "us-south", resource_group = groupId, resource_plan_id = AccessSetup.PlanOf("kms") });

        Assert.Equal(HttpStatusCode.Created, status);
        var guid = created.GetProperty("guid").GetString()!;
        var crn = $"crn:v1:bluemix:public:kms:us-south:a/{tenant.AccountId}:{guid}::";
        Assert.Equal((crn, crn), (created.GetProperty("id").GetString(), created.GetProperty("crn").GetString()));
        Assert.Equal(("active", "kms", false), (created.GetProperty("state").GetString(), created.GetProperty("resource_id").GetString(), created.GetProperty("locked").GetBoolean()));
        var operation = created.GetProperty("last_operation");
        Assert.Equal(("create", "succeeded", false), (operation.GetProperty("type").GetString(), operation.GetProperty("state").GetString(), operation.GetProperty("async").GetBoolean()));

        var (byCrn, fetched, _) = await tenant.Client.SendAsync(HttpMethod.Get, $"/v2/resource_instances/{Uri.EscapeDataString(crn)}");
        Assert.Equal((HttpStatusCode.OK, guid), (byCrn, fetched.GetProperty("guid").GetString()));

        await tenant.CreateInstanceAsync("kms");
        await tenant.CreateInstanceAsync("cloud-object-storage");
        var (_, filtered, _) = await tenant.Client.SendAsync(HttpMethod.Get, "/v2/resource_instances?name=keys-1");
        Assert.Equal(guid, Assert.Single(filtered.GetProperty("resources").EnumerateArray()).GetProperty("guid").GetString());
        var seen = new List<string>();
        var next = "/v2/resource_instances?limit=1";
        while (next is not null)
        {
            var (_, page, _) = await tenant.Client.SendAsync(HttpMethod.Get, next);
            seen.AddRange(page.GetProperty("resources").EnumerateArray().Select(r => r.GetProperty("guid").GetString()!));
            next = page.GetProperty("next_url").ValueKind == JsonValueKind.String ? page.GetProperty("next_url").GetString() : null;
        }
        Assert.Equal(3, seen.Distinct().Count());
        Assert.Equal(3, seen.Count);

        Assert.Equal(HttpStatusCode.NoContent, (await tenant.Client.SendAsync(HttpMethod.Delete, $"/v2/resource_instances/{guid}?recursive=true")).Status);
        var (afterDelete, removed, _) = await tenant.Client.SendAsync(HttpMethod.Get, $"/v2/resource_instances/{guid}");
        Assert.Equal((HttpStatusCode.OK, "removed"), (afterDelete, removed.GetProperty("state").GetString()));
        Assert.Equal("delete", removed.GetProperty("last_operation").GetProperty("type").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await tenant.Client.SendAsync(HttpMethod.Delete, $"/v2/resource_instances/{guid}")).Status);

        var (badPlan, badBody, _) = await tenant.Client.SendAsync(HttpMethod.Post, "/v2/resource_instances",
            new { name = "x", target = "us-south", resource_group = groupId, resource_plan_id = "no-such-plan" });
        Assert.Contains("not a plan of any service", Http.AssertIbmError(badBody, HttpStatusCode.BadRequest, "invalid_body"), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, badPlan);
    }

    [Fact]
    public async Task AccessGroups_GrantTheirPoliciesToTheirMembers()
    {
        var tenant = await app.NewTenantAsync("accessgroups");
        var carol = await app.AddUserAsync(tenant, "carol@accessgroups.test");
        var kms = await tenant.CreateInstanceAsync("kms");
        var (status, group, _) = await tenant.Client.SendAsync(HttpMethod.Post, $"/v2/groups?account_id={tenant.AccountId}", new { name = "key admins" });
        Assert.Equal(HttpStatusCode.Created, status);
        var groupId = group.GetProperty("id").GetString()!;
        Assert.StartsWith("AccessGroupId-", groupId, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Conflict, (await tenant.Client.SendAsync(HttpMethod.Post, $"/v2/groups?account_id={tenant.AccountId}", new { name = "key admins" })).Status);

        var (policyStatus, _, _) = await tenant.Client.SendAsync(HttpMethod.Post, "/v1/policies",
            Policies.Access("access_group_id", groupId, [Policies.PlatformRole("Viewer")], [$"accountId={tenant.AccountId}", "serviceName=kms"]));
        Assert.Equal(HttpStatusCode.Created, policyStatus);
        Assert.Equal(HttpStatusCode.NotFound, (await carol.Client.SendAsync(HttpMethod.Get, $"/v2/resource_instances/{kms.Guid}")).Status);

        var (added, addResult, _) = await tenant.Client.SendAsync(HttpMethod.Put, $"/v2/groups/{groupId}/members",
            new { members = new object[] { new { iam_id = carol.IamId, type = "user" }, new { iam_id = "IBMid-NOBODY", type = "user" } } });
        Assert.Equal(HttpStatusCode.MultiStatus, added);
        Assert.Equal([200, 404], addResult.GetProperty("members").EnumerateArray().Select(m => m.GetProperty("status_code").GetInt32()));
        Assert.Equal(HttpStatusCode.OK, (await carol.Client.SendAsync(HttpMethod.Get, $"/v2/resource_instances/{kms.Guid}")).Status);

        var (_, members, _) = await tenant.Client.SendAsync(HttpMethod.Get, $"/v2/groups/{groupId}/members");
        Assert.Equal(carol.IamId, Assert.Single(members.GetProperty("members").EnumerateArray()).GetProperty("iam_id").GetString());
        Assert.Equal(HttpStatusCode.NoContent, (await tenant.Client.SendAsync(HttpMethod.Delete, $"/v2/groups/{groupId}/members/{carol.IamId}")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await carol.Client.SendAsync(HttpMethod.Get, $"/v2/resource_instances/{kms.Guid}")).Status);
    }

    [Fact]
    public async Task AnInstanceKey_MakesASourceServiceAuthenticateAsItsInstance_WhichTheDecisionApiAcceptsAsSubject()
    {
        var tenant = await app.NewTenantAsync("instancekeys");
        var group = await tenant.CreateResourceGroupAsync("keys");
        var source = await tenant.CreateInstanceAsync("cloud-object-storage");
        var inGroup = await tenant.CreateInstanceAsync("kms", group);
        var elsewhere = await tenant.CreateInstanceAsync("kms");
        var (created, _, _) = await tenant.Client.SendAsync(HttpMethod.Post, "/v1/policies", Policies.Authorization(
            [$"accountId={tenant.AccountId}", "serviceName=cloud-object-storage", $"serviceInstance={source.Guid}"], [Policies.Reader],
            [$"accountId={tenant.AccountId}", "serviceName=kms", $"resourceGroupId={group}"]));
        Assert.Equal(HttpStatusCode.Created, created);

        var secret = await tenant.CreateApiKeyAsync("crn-" + source.Crn);
        var token = await app.TokenAsync(secret);
        using var sourceClient = await app.ClientForKeyAsync(secret);

        // The target's resource group comes from its record: the grant on the group covers its instance.
        Assert.True(await sourceClient.DecideAsync(new { type = "token", id = token }, "kms.secrets.unwrap", inGroup.Crn));
        Assert.False(await sourceClient.DecideAsync(new { type = "token", id = token }, "kms.secrets.delete", inGroup.Crn));
        // A caller cannot move an instance into the group by saying so: the record wins.
        var (_, claimed, _) = await sourceClient.SendAsync(HttpMethod.Post, "/access/v1/evaluation", new
        {
            subject = new { type = "service", id = source.Crn },
            action = new { name = "kms.secrets.unwrap" },
            resource = new { type = "instance", id = elsewhere.Crn, properties = new { resourceGroupId = group } },
        });
        Assert.False(claimed.GetProperty("decision").GetBoolean());
    }
}
