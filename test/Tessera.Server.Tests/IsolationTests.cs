using System.Net;
using System.Text.Json;

namespace Tessera.Server.Tests;

/// <summary>
/// Cross-account isolation: an Administrator of account B never reads, lists, changes or even detects account A's
/// policies, instances, keys, service IDs, groups or events. Whatever B asks about A gets the answer a missing thing gets.
/// </summary>
public class IsolationTests(TesseraApp app) : IClassFixture<TesseraApp>
{
    [Fact]
    public async Task AnAdministratorOfAnotherAccount_LearnsNothingAboutThisOne()
    {
        var a = await app.NewTenantAsync("isolated-a");
        var kms = await a.CreateInstanceAsync("kms");
        var (_, policy, _) = await a.Client.SendAsync(HttpMethod.Post, "/v1/policies", Policies.Authorization(
            [$"accountId={a.AccountId}", "serviceName=cloud-object-storage"], [Policies.Reader], [$"accountId={a.AccountId}", "serviceName=kms", $"serviceInstance={kms.Guid}"]));
        var (_, serviceId, _) = await a.Client.SendAsync(HttpMethod.Post, "/v1/serviceids", new { account_id = a.AccountId, name = "secret-bot" });
        var (_, key, _) = await a.Client.SendAsync(HttpMethod.Post, "/v1/apikeys", new { name = "k", iam_id = serviceId.GetProperty("iam_id").GetString() });
        var (_, group, _) = await a.Client.SendAsync(HttpMethod.Post, $"/v2/groups?account_id={a.AccountId}", new { name = "ops" });
        var rg = await a.CreateResourceGroupAsync("private");

        var b = await app.NewTenantAsync("isolated-b");
        var intruder = await app.AddUserAsync(b, "admin@isolated-b.test");
        await b.GrantAsync(intruder.IamId, [Policies.Administrator, Policies.Reader]);

        foreach (var client in new[] { b.Client, intruder.Client })
        {
            // Reads of existing things answer exactly like reads of things that never existed.
            foreach (var (existing, missing) in new[]
            {
                ($"/v1/policies/{policy.GetProperty("id").GetString()}", $"/v1/policies/{Guid.NewGuid()}"),
                ($"/v2/resource_instances/{kms.Guid}", $"/v2/resource_instances/{Guid.NewGuid()}"),
                ($"/v1/serviceids/{serviceId.GetProperty("id").GetString()}", $"/v1/serviceids/ServiceId-{Guid.NewGuid()}"),
                ($"/v1/apikeys/{key.GetProperty("id").GetString()}", $"/v1/apikeys/ApiKey-{Guid.NewGuid()}"),
                ($"/v2/groups/{group.GetProperty("id").GetString()}", $"/v2/groups/AccessGroupId-{Guid.NewGuid()}"),
                ($"/v2/resource_groups/{rg}", $"/v2/resource_groups/{Guid.NewGuid():N}"),
                ($"/v2/accounts/{a.AccountId}", $"/v2/accounts/{Guid.NewGuid():N}"),
            })
            {
                var (existingStatus, existingBody, _) = await client.SendAsync(HttpMethod.Get, existing);
                var (missingStatus, missingBody, _) = await client.SendAsync(HttpMethod.Get, missing);
                Assert.Equal(HttpStatusCode.NotFound, existingStatus);
                Assert.Equal(missingStatus, existingStatus);
                Assert.Equal(Code(missingBody), Code(existingBody));
            }

            // Changes are refused the same way, and change nothing.
            Assert.Equal(HttpStatusCode.NotFound, (await client.SendAsync(HttpMethod.Delete, $"/v1/policies/{policy.GetProperty("id").GetString()}")).Status);
            Assert.Equal(HttpStatusCode.NotFound, (await client.SendAsync(HttpMethod.Delete, $"/v2/resource_instances/{kms.Guid}")).Status);
            Assert.Equal(HttpStatusCode.NotFound, (await client.SendAsync(HttpMethod.Delete, $"/v1/serviceids/{serviceId.GetProperty("id").GetString()}")).Status);
            Assert.Equal(HttpStatusCode.NotFound, (await client.SendAsync(HttpMethod.Delete, $"/v1/apikeys/{key.GetProperty("id").GetString()}")).Status);
            var (createIn, _, _) = await client.SendAsync(HttpMethod.Post, "/v1/policies", Policies.Authorization(
                [$"accountId={b.AccountId}", "serviceName=cloud-object-storage"], [Policies.Reader], [$"accountId={a.AccountId}", "serviceName=kms"]));
            var (createInMissing, _, _) = await client.SendAsync(HttpMethod.Post, "/v1/policies", Policies.Authorization(
                [$"accountId={b.AccountId}", "serviceName=cloud-object-storage"], [Policies.Reader], [$"accountId={Guid.NewGuid():N}", "serviceName=kms"]));
            Assert.Equal((HttpStatusCode.Forbidden, HttpStatusCode.Forbidden), (createIn, createInMissing));

            // Lists are empty, not refused.
            foreach (var list in new[]
            {
                ($"/v1/policies?account_id={a.AccountId}", "policies"), ($"/v2/resource_instances?account_id={a.AccountId}", "resources"),
                ($"/v1/serviceids?account_id={a.AccountId}", "serviceids"), ($"/v1/apikeys?account_id={a.AccountId}", "apikeys"),
                ($"/v2/groups?account_id={a.AccountId}", "groups"), ($"/v2/resource_groups?account_id={a.AccountId}", "resources"),
                ($"/v2/accounts/{a.AccountId}/users", "resources"),
            })
            {
                var (status, body, _) = await client.SendAsync(HttpMethod.Get, list.Item1);
                Assert.Equal(HttpStatusCode.OK, status);
                Assert.Empty(body.GetProperty(list.Item2).EnumerateArray());
            }

            // The trail and explanations stay closed too.
            Assert.Equal(HttpStatusCode.Forbidden, (await client.SendAsync(HttpMethod.Get, $"/v1/events?account_id={a.AccountId}")).Status);
            var (explain, _, _) = await client.SendAsync(HttpMethod.Post, "/access/v1/evaluation", new
            {
                subject = new { type = "service", id = $"crn:v1:bluemix:public:cloud-object-storage:global:a/{a.AccountId}:x::" },
                action = new { name = "kms.secrets.unwrap" },
                resource = new { type = "instance", id = kms.Crn },
                context = new { explain = true },
            });
            Assert.Equal(HttpStatusCode.Forbidden, explain);
        }

        Assert.Equal(HttpStatusCode.OK, (await a.Client.SendAsync(HttpMethod.Get, $"/v1/policies/{policy.GetProperty("id").GetString()}")).Status);
        Assert.Equal("active", (await a.Client.SendAsync(HttpMethod.Get, $"/v2/resource_instances/{kms.Guid}")).Body.GetProperty("state").GetString());
        // A's trail recorded B's attempts, and B cannot read it.
        await app.RefusalsWrittenAsync();
        var refused = (await a.Client.EventsAsync(a.AccountId)).Where(e => e.GetProperty("outcome").GetString() == "failure").ToList();
        Assert.NotEmpty(refused);
        Assert.All(refused, e => Assert.Equal("critical", e.GetProperty("severity").GetString()));
        Assert.Contains(refused, e => e.GetProperty("initiator").GetProperty("id").GetString() == intruder.IamId);
    }

    private static string Code(JsonElement body) => body.GetProperty("errors")[0].GetProperty("code").GetString()!;
}
