using System.Net;

namespace Tessera.Server.Tests;

/// <summary>
/// R3 as a matrix generated from the catalog: for every platform role, granted to a user on a service, an instance or a
/// resource group, each management operation is allowed exactly when the role carries the operation's action and the
/// target lies in the scope — and is refused otherwise (404 when the user may not even see the target, 403 when it may).
/// </summary>
public class RuleMatrixTests(TesseraApp app) : IClassFixture<TesseraApp>
{
    public enum Scope
    {
        Service,
        Instance,
        ResourceGroup,
    }

    public static TheoryData<string, Scope> Cases()
    {
        var cases = new TheoryData<string, Scope>();
        foreach (var role in AccessSetup.Catalog.PlatformRoles)
        {
            foreach (var scope in Enum.GetValues<Scope>())
                cases.Add(role.Name, scope);
        }
        return cases;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task PlatformRole_OnScope_AllowsExactlyWhatTheCatalogSays(string roleName, Scope scope)
    {
        var role = AccessSetup.Catalog.PlatformRoles.Single(r => r.Name == roleName);
        bool Holds(string action) => role.Actions.Contains(action);

        // The account: kms instance K1 in group G1 (inside every scope), K2 in the Default group (inside only the service scope).
        var tenant = await app.NewTenantAsync($"matrix-{roleName}-{scope}".ToLowerInvariant());
        var g1 = await tenant.CreateResourceGroupAsync("g1");
        var k1 = await tenant.CreateInstanceAsync("kms", g1);
        var k2 = await tenant.CreateInstanceAsync("kms");
        var p1 = await CreateAuthorizationAsync(tenant.Client, tenant.AccountId, k1.Guid);
        var p2 = await CreateAuthorizationAsync(tenant.Client, tenant.AccountId, k2.Guid);
        Assert.Equal(HttpStatusCode.Created, p1.Status);
        Assert.Equal(HttpStatusCode.Created, p2.Status);

        // The user holds the role (and Reader, so that what it may grant is decided by the platform role alone).
        var user = await app.AddUserAsync(tenant, $"{roleName.ToLowerInvariant()}@matrix.test");
        string[] scopeAttributes = scope switch
        {
            Scope.Service => ["serviceName=kms"],
            Scope.Instance => ["serviceName=kms", $"serviceInstance={k1.Guid}"],
            _ => [$"resourceGroupId={g1}"],
        };
        await tenant.GrantAsync(user.IamId, [role.Crn, Policies.Reader], scopeAttributes);
        // As in IBM Cloud, creating an instance in a group also needs to see the group itself.
        await tenant.GrantAsync(user.IamId, [Policies.PlatformRole("Viewer")], "serviceName=resource-controller", "resourceType=resource-group", $"resource={g1}");
        var k2InScope = scope == Scope.Service;
        var client = user.Client;

        var expectations = new List<(string Operation, bool Allowed, HttpStatusCode Actual)>();
        void Expect(string operation, bool allowed, HttpStatusCode actual) => expectations.Add((operation, allowed, actual));

        Expect("view authorization on K1", Holds("iam.policy.read"), (await client.SendAsync(HttpMethod.Get, $"/v1/policies/{p1.Id}")).Status);
        Expect("view authorization on K2", Holds("iam.policy.read") && k2InScope, (await client.SendAsync(HttpMethod.Get, $"/v1/policies/{p2.Id}")).Status);
        var (_, list, _) = await client.SendAsync(HttpMethod.Get, $"/v1/policies?account_id={tenant.AccountId}&type=authorization");
        var listed = list.GetProperty("policies").EnumerateArray().Select(p => p.GetProperty("id").GetString()).ToHashSet();
        Assert.Equal(Holds("iam.policy.read"), listed.Contains(p1.Id));
        Assert.Equal(Holds("iam.policy.read") && k2InScope, listed.Contains(p2.Id));

        Expect("create authorization on K1", Holds("iam.policy.create"),
            (await CreateAuthorizationAsync(client, tenant.AccountId, k1.Guid, "event-notifications")).Status);
        Expect("create authorization on K2", Holds("iam.policy.create") && k2InScope,
            (await CreateAuthorizationAsync(client, tenant.AccountId, k2.Guid, "event-notifications")).Status);
        Expect("view instance K1", Holds("resource-controller.instance.retrieve"), (await client.SendAsync(HttpMethod.Get, $"/v2/resource_instances/{k1.Guid}")).Status);
        Expect("view instance K2", Holds("resource-controller.instance.retrieve") && k2InScope,
            (await client.SendAsync(HttpMethod.Get, $"/v2/resource_instances/{k2.Guid}")).Status);
        Expect("create instance in G1", Holds("resource-controller.instance.create") && scope != Scope.Instance,
            (await client.SendAsync(HttpMethod.Post, "/v2/resource_instances",
                new { name = "new", target = "us-south", resource_group = g1, resource_plan_id = AccessSetup.PlanOf("kms") })).Status);
        Expect("delete authorization on K1", Holds("iam.policy.delete"), (await client.SendAsync(HttpMethod.Delete, $"/v1/policies/{p1.Id}")).Status);
        Expect("delete instance K2", Holds("resource-controller.instance.delete") && k2InScope,
            (await client.SendAsync(HttpMethod.Delete, $"/v2/resource_instances/{k2.Guid}")).Status);
        Expect("delete instance K1", Holds("resource-controller.instance.delete"), (await client.SendAsync(HttpMethod.Delete, $"/v2/resource_instances/{k1.Guid}")).Status);

        Assert.All(expectations, e =>
        {
            var succeeded = (int)e.Actual is >= 200 and < 300;
            Assert.True(succeeded == e.Allowed, $"{roleName} on {scope}: {e.Operation} answered {(int)e.Actual}, expected {(e.Allowed ? "success" : "a refusal")}");
            if (!succeeded)
                Assert.Contains(e.Actual, new[] { HttpStatusCode.Forbidden, HttpStatusCode.NotFound });
        });
    }

    [Fact]
    public async Task AnAdministratorGrantsOnlyWhatItHolds_AndAnInstanceAdministratorManagesOnlyItsInstance()
    {
        var tenant = await app.NewTenantAsync("grants");
        var k1 = await tenant.CreateInstanceAsync("kms");
        var k2 = await tenant.CreateInstanceAsync("kms");
        var admin = await app.AddUserAsync(tenant, "admin@grants.test");
        await tenant.GrantAsync(admin.IamId, [Policies.Administrator], "serviceName=kms", $"serviceInstance={k1.Guid}");

        var (withoutReader, _, body) = await CreateAuthorizationAsync(admin.Client, tenant.AccountId, k1.Guid);
        Assert.Contains("you lack kms.", Http.AssertIbmError(body, HttpStatusCode.Forbidden, "insufficent_permissions"), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, withoutReader);
        // Restoring a deleted grant is granting it again.
        var (_, ownersId, _) = await CreateAuthorizationAsync(tenant.Client, tenant.AccountId, k1.Guid, "event-notifications");
        await tenant.Client.SendAsync(HttpMethod.Delete, $"/v1/policies/{ownersId}");
        var etag = (await admin.Client.SendAsync(HttpMethod.Get, $"/v1/policies/{ownersId}")).Response.ETag();
        Task<(HttpStatusCode Status, System.Text.Json.JsonElement Body, HttpResponseMessage Response)> Restore() =>
            admin.Client.SendAsync(HttpMethod.Patch, $"/v1/policies/{ownersId}", new { state = "active" }, ("If-Match", etag));
        Assert.Equal(HttpStatusCode.Forbidden, (await Restore()).Status);

        await tenant.GrantAsync(admin.IamId, [Policies.Reader], "serviceName=kms", $"serviceInstance={k1.Guid}");
        Assert.Equal(HttpStatusCode.OK, (await Restore()).Status);
        Assert.Equal(HttpStatusCode.Created, (await CreateAuthorizationAsync(admin.Client, tenant.AccountId, k1.Guid)).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await CreateAuthorizationAsync(admin.Client, tenant.AccountId, k2.Guid)).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await CreateAuthorizationAsync(admin.Client, tenant.AccountId, null)).Status);
    }

    private static async Task<(HttpStatusCode Status, string? Id, System.Text.Json.JsonElement Body)> CreateAuthorizationAsync(
        HttpClient client, string accountId, string? kmsInstance, string source = "cloud-object-storage")
    {
        var (status, body, _) = await client.SendAsync(HttpMethod.Post, "/v1/policies", Policies.Authorization(
            [$"accountId={accountId}", $"serviceName={source}"], [Policies.Reader],
            kmsInstance is null ? [$"accountId={accountId}", "serviceName=kms"] : [$"accountId={accountId}", "serviceName=kms", $"serviceInstance={kmsInstance}"]));
        return (status, status == HttpStatusCode.Created ? body.GetProperty("id").GetString() : null, body);
    }
}
