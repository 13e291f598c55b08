using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Tessera.Model;
using Tessera.Storage;

namespace Tessera.Server.Tests;

public class PoliciesApiTests(TesseraApp app) : IClassFixture<TesseraApp>
{
    [Fact]
    public async Task Create_Returns201WithETagHrefTimestampsAndTheExactEcho()
    {
        var owner = await app.OperatorAsync();
        var body = Policies.Authorization(
            [$"accountId={owner.AccountId}", "serviceName=cloud-object-storage", "serviceInstance=src-1"],
            [Policies.Reader],
            ["serviceInstance=kms-1=stringEquals", $"accountId={owner.AccountId}=stringEquals", "serviceName=kms"],
            "d");

        var (status, created, response) = await owner.Client.SendAsync(HttpMethod.Post, "/v1/policies", body);

        Assert.Equal(HttpStatusCode.Created, status);
        Assert.Matches("^1-[0-9a-f]{32}$", response.ETag());
        Assert.StartsWith("application/json; charset=utf-8", response.Content.Headers.ContentType!.ToString(), StringComparison.Ordinal);
        var id = created.GetProperty("id").GetString()!;
        Assert.True(Guid.TryParse(id, out _));
        Assert.Equal("authorization", created.GetProperty("type").GetString());
        Assert.Equal("d", created.GetProperty("description").GetString());
        Assert.Equal("active", created.GetProperty("state").GetString());
        Assert.EndsWith($"/v1/policies/{id}", created.GetProperty("href").GetString(), StringComparison.Ordinal);
        Assert.Equal(owner.OwnerIamId, created.GetProperty("created_by_id").GetString());
        Assert.Equal(owner.OwnerIamId, created.GetProperty("last_modified_by_id").GetString());
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", created.GetProperty("created_at").GetString()!);
        // Same order, same presence or absence of 'operator' as sent (IBM's Go SDK test asserts this).
        Assert.True(JsonNode.DeepEquals(body["subjects"], JsonNode.Parse(created.GetProperty("subjects").GetRawText())));
        Assert.True(JsonNode.DeepEquals(body["resources"], JsonNode.Parse(created.GetProperty("resources").GetRawText())));
        var role = Assert.Single(created.GetProperty("roles").EnumerateArray());
        Assert.Equal((Policies.Reader, "Reader"), (role.GetProperty("role_id").GetString(), role.GetProperty("display_name").GetString()));
    }

    [Fact]
    public async Task Get_ReturnsThePolicyAndItsETag()
    {
        var owner = await app.OperatorAsync();
        var (_, created, createResponse) = await owner.Client.SendAsync(HttpMethod.Post, "/v1/policies", Policies.AtrackerToCos(owner.AccountId, Unique()));

        var (status, fetched, response) = await owner.Client.SendAsync(HttpMethod.Get, $"/v1/policies/{created.GetProperty("id").GetString()}");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(createResponse.ETag(), response.ETag());
        Assert.Equal(created.GetRawText(), fetched.GetRawText());
        Assert.Equal("Object Writer", fetched.GetProperty("roles")[0].GetProperty("display_name").GetString());
    }

    [Fact]
    public async Task Create_AcceptsTheIamSpellingOfServiceRolesAndReturnsTheCanonicalOne()
    {
        var owner = await app.OperatorAsync();
        var instance = Unique();
        var alias = Policies.Authorization([$"accountId={owner.AccountId}", "serviceName=atracker"], ["crn:v1:bluemix:public:iam::::serviceRole:ObjectWriter"],
            [$"accountId={owner.AccountId}", "serviceName=cloud-object-storage", $"serviceInstance={instance}"]);

        var (status, created, _) = await owner.Client.SendAsync(HttpMethod.Post, "/v1/policies", alias);
        var canonical = Policies.Authorization([$"accountId={owner.AccountId}", "serviceName=atracker"], [Policies.ObjectWriter],
            [$"accountId={owner.AccountId}", "serviceName=cloud-object-storage", $"serviceInstance={instance}"]);
        var (duplicateStatus, _, _) = await owner.Client.SendAsync(HttpMethod.Post, "/v1/policies", canonical);

        Assert.Equal(HttpStatusCode.Created, status);
        Assert.Equal(Policies.ObjectWriter, created.GetProperty("roles")[0].GetProperty("role_id").GetString());
        Assert.Equal(HttpStatusCode.Conflict, duplicateStatus);
    }

    [Fact]
    public async Task Create_DuplicateIs409WithTheExistingPolicyAndNoEvent()
    {
        var owner = await app.OperatorAsync();
        var body = Policies.AtrackerToCos(owner.AccountId, Unique());
        var (_, created, response) = await owner.Client.SendAsync(HttpMethod.Post, "/v1/policies", body);
        var eventsBefore = await EventCountAsync(owner.AccountId);

        var (status, conflict, _) = await owner.Client.SendAsync(HttpMethod.Post, "/v1/policies", body);

        Assert.Equal(HttpStatusCode.Conflict, status);
        Http.AssertIbmError(conflict, HttpStatusCode.Conflict, "policy_conflict_error");
        var with = conflict.GetProperty("errors")[0].GetProperty("details").GetProperty("conflicts_with");
        Assert.Equal(response.ETag(), with.GetProperty("etag").GetString());
        Assert.Equal(created.GetProperty("id").GetString(), with.GetProperty("policy").GetProperty("id").GetString());
        Assert.Equal(eventsBefore, await EventCountAsync(owner.AccountId));
    }

    [Fact]
    public async Task Replace_NeedsTheCurrentETag()
    {
        var owner = await app.OperatorAsync();
        var instance = Unique();
        var (_, created, createResponse) = await owner.Client.SendAsync(HttpMethod.Post, "/v1/policies",
            Policies.Authorization([$"accountId={owner.AccountId}", "serviceName=event-notifications"], [Policies.Reader],
                [$"accountId={owner.AccountId}", "serviceName=cloud-object-storage", $"serviceInstance={instance}"]));
        var path = $"/v1/policies/{created.GetProperty("id").GetString()}";
        var replacement = Policies.Authorization([$"accountId={owner.AccountId}", "serviceName=event-notifications"], [Policies.Reader, Policies.ObjectWriter],
            [$"accountId={owner.AccountId}", "serviceName=cloud-object-storage", $"serviceInstance={instance}"]);

        var (missingStatus, missing, _) = await owner.Client.SendAsync(HttpMethod.Put, path, replacement);
        var (staleStatus, stale, _) = await owner.Client.SendAsync(HttpMethod.Put, path, replacement, ("If-Match", "1-00000000000000000000000000000000"));
        var (okStatus, replaced, okResponse) = await owner.Client.SendAsync(HttpMethod.Put, path, replacement, ("If-Match", createResponse.ETag()));
        var (againStatus, _, _) = await owner.Client.SendAsync(HttpMethod.Put, path, replacement, ("If-Match", createResponse.ETag()));

        Assert.Equal(HttpStatusCode.PreconditionRequired, missingStatus);
        Http.AssertIbmError(missing, HttpStatusCode.PreconditionRequired, "precondition_required");
        Assert.Equal(HttpStatusCode.PreconditionFailed, staleStatus);
        Http.AssertIbmError(stale, HttpStatusCode.PreconditionFailed, "precondition_failed");
        Assert.Equal(HttpStatusCode.OK, okStatus);
        Assert.StartsWith("2-", okResponse.ETag(), StringComparison.Ordinal);
        Assert.Equal(2, replaced.GetProperty("roles").GetArrayLength());
        Assert.Equal(created.GetProperty("created_at").GetString(), replaced.GetProperty("created_at").GetString());
        Assert.Equal(HttpStatusCode.PreconditionFailed, againStatus);
    }

    [Fact]
    public async Task Replace_CannotMoveThePolicyToAnotherAccountOrType()
    {
        var owner = await app.OperatorAsync();
        var (_, created, response) = await owner.Client.SendAsync(HttpMethod.Post, "/v1/policies", Policies.AtrackerToCos(owner.AccountId, Unique()));
        var path = $"/v1/policies/{created.GetProperty("id").GetString()}";

        var (status, body, _) = await owner.Client.SendAsync(HttpMethod.Put, path, Policies.AtrackerToCos(Ids.NewHex32()), ("If-Match", response.ETag()));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("cannot move to another account", Http.AssertIbmError(body, HttpStatusCode.BadRequest, "invalid_body"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Delete_IsSoftAndPatchRestores()
    {
        var owner = await app.OperatorAsync();
        var (_, created, _) = await owner.Client.SendAsync(HttpMethod.Post, "/v1/policies", Policies.AtrackerToCos(owner.AccountId, Unique()));
        var id = created.GetProperty("id").GetString()!;
        var path = $"/v1/policies/{id}";

        var (deleteStatus, _, deleteResponse) = await owner.Client.SendAsync(HttpMethod.Delete, path);
        var (getStatus, deleted, getResponse) = await owner.Client.SendAsync(HttpMethod.Get, path);
        var (_, deletedList, _) = await owner.Client.SendAsync(HttpMethod.Get, $"/v1/policies?account_id={owner.AccountId}&state=deleted&limit=100");
        var (_, activeList, _) = await owner.Client.SendAsync(HttpMethod.Get, $"/v1/policies?account_id={owner.AccountId}&limit=100");
        var (againStatus, _, _) = await owner.Client.SendAsync(HttpMethod.Delete, path);
        var (patchStatus, restored, _) = await owner.Client.SendAsync(HttpMethod.Patch, path, new { state = "active" }, ("If-Match", getResponse.ETag()));

        Assert.Equal(HttpStatusCode.NoContent, deleteStatus);
        Assert.Empty(await deleteResponse.Content.ReadAsByteArrayAsync());
        Assert.Equal((HttpStatusCode.OK, "deleted"), (getStatus, deleted.GetProperty("state").GetString()));
        Assert.Contains(id, PolicyIds(deletedList));
        Assert.DoesNotContain(id, PolicyIds(activeList));
        Assert.Equal(HttpStatusCode.NotFound, againStatus);
        Assert.Equal((HttpStatusCode.OK, "active"), (patchStatus, restored.GetProperty("state").GetString()));
    }

    [Fact]
    public async Task Patch_ValidatesItsBodyAndNeedsIfMatch()
    {
        var owner = await app.OperatorAsync();
        var (_, created, response) = await owner.Client.SendAsync(HttpMethod.Post, "/v1/policies", Policies.AtrackerToCos(owner.AccountId, Unique()));
        var path = $"/v1/policies/{created.GetProperty("id").GetString()}";

        Assert.Equal(HttpStatusCode.PreconditionRequired, (await owner.Client.SendAsync(HttpMethod.Patch, path, new { state = "active" })).Status);
        var (badState, badBody, _) = await owner.Client.SendAsync(HttpMethod.Patch, path, new { state = "gone" }, ("If-Match", response.ETag()));
        var (extra, _, _) = await owner.Client.SendAsync(HttpMethod.Patch, path, new { state = "active", name = "x" }, ("If-Match", response.ETag()));

        Assert.Equal(HttpStatusCode.BadRequest, badState);
        Assert.Contains("'active' or 'deleted'", Http.AssertIbmError(badBody, HttpStatusCode.BadRequest, "invalid_body"), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, extra);
    }

    [Fact]
    public async Task List_PagesWithNextStartUntilEveryPolicyIsSeenOnce()
    {
        var tenant = await app.NewTenantAsync("pager");
        var created = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            var (_, policy, _) = await tenant.Client.SendAsync(HttpMethod.Post, "/v1/policies", Policies.AtrackerToCos(tenant.AccountId, $"inst-{i}"));
            created.Add(policy.GetProperty("id").GetString()!);
        }

        foreach (var sort in new[] { "", "-created_at", "id", "-last_modified_at" })
        {
            var seen = new List<string>();
            var query = $"/v1/policies?account_id={tenant.AccountId}&type=authorization&limit=2&sort={sort}";
            string? start = null;
            do
            {
                var (status, page, _) = await tenant.Client.SendAsync(HttpMethod.Get, query + (start is null ? "" : $"&start={Uri.EscapeDataString(start)}"));
                Assert.Equal(HttpStatusCode.OK, status);
                Assert.Equal(2, page.GetProperty("limit").GetInt32());
                seen.AddRange(PolicyIds(page));
                start = page.TryGetProperty("next", out var next) ? next.GetProperty("start").GetString() : null;
            }
            while (start is not null);

            Assert.Equal(created.Order(), seen.Order());
            if (sort == "id")
                Assert.Equal(created.Order(StringComparer.Ordinal), seen);
        }
    }

    [Theory]
    [InlineData("", "missing_required_query_parameter")]
    [InlineData("&type=role", "invalid_query_parameter")]
    [InlineData("&state=gone", "invalid_query_parameter")]
    [InlineData("&sort=colour", "invalid_query_parameter")]
    [InlineData("&sort=-", "invalid_query_parameter")]
    [InlineData("&limit=0", "invalid_query_parameter")]
    [InlineData("&limit=101", "invalid_query_parameter")]
    [InlineData("&limit=ten", "invalid_query_parameter")]
    [InlineData("&start=not-a-token", "invalid_query_parameter")]
    [InlineData("&format=fancy", "invalid_query_parameter")]
    public async Task List_RejectsBadParameters(string parameters, string code)
    {
        var owner = await app.OperatorAsync();
        var accountParameter = code == "missing_required_query_parameter" ? "" : $"account_id={owner.AccountId}";

        var (status, body, _) = await owner.Client.SendAsync(HttpMethod.Get, $"/v1/policies?{accountParameter}{parameters}");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Http.AssertIbmError(body, HttpStatusCode.BadRequest, code);
    }

    [Fact]
    public async Task List_StartTokenOfOneSortIsRefusedForAnother()
    {
        var tenant = await app.NewTenantAsync("tokens");
        for (var i = 0; i < 3; i++)
            await tenant.Client.SendAsync(HttpMethod.Post, "/v1/policies", Policies.AtrackerToCos(tenant.AccountId, $"inst-{i}"));
        var (_, page, _) = await tenant.Client.SendAsync(HttpMethod.Get, $"/v1/policies?account_id={tenant.AccountId}&limit=1&sort=id");
        var start = page.GetProperty("next").GetProperty("start").GetString()!;

        var (status, _, _) = await tenant.Client.SendAsync(HttpMethod.Get, $"/v1/policies?account_id={tenant.AccountId}&limit=1&sort=-id&start={Uri.EscapeDataString(start)}");

        Assert.Equal(HttpStatusCode.BadRequest, status);
    }

    [Fact]
    public async Task List_FiltersByTargetService()
    {
        var tenant = await app.NewTenantAsync("filters");
        await tenant.Client.SendAsync(HttpMethod.Post, "/v1/policies", Policies.AtrackerToCos(tenant.AccountId));
        var (_, kms, _) = await tenant.Client.SendAsync(HttpMethod.Post, "/v1/policies", Policies.Authorization(
            [$"accountId={tenant.AccountId}", "serviceName=cloud-object-storage"], [Policies.Reader], [$"accountId={tenant.AccountId}", "serviceName=kms"]));

        var (_, list, _) = await tenant.Client.SendAsync(HttpMethod.Get, $"/v1/policies?account_id={tenant.AccountId}&service_name=kms");
        var (_, byIdentity, _) = await tenant.Client.SendAsync(HttpMethod.Get, $"/v1/policies?account_id={tenant.AccountId}&iam_id={tenant.OwnerIamId}");

        Assert.Equal([kms.GetProperty("id").GetString()!], PolicyIds(list));
        Assert.Empty(PolicyIds(byIdentity));
    }

    [Fact]
    public async Task OtherAccounts_LearnNothingAboutAPolicy()
    {
        var owner = await app.OperatorAsync();
        var intruder = await app.NewTenantAsync("intruder");
        var (_, created, response) = await owner.Client.SendAsync(HttpMethod.Post, "/v1/policies", Policies.AtrackerToCos(owner.AccountId, Unique()));
        var id = created.GetProperty("id").GetString()!;
        var missing = Guid.NewGuid().ToString();

        foreach (var (method, body, headers) in new (HttpMethod, object?, (string, string)[])[]
                 {
                     (HttpMethod.Get, null, []),
                     (HttpMethod.Delete, null, []),
                     (HttpMethod.Put, Policies.AtrackerToCos(owner.AccountId, "x"), [("If-Match", response.ETag())]),
                     (HttpMethod.Patch, new { state = "active" }, [("If-Match", response.ETag())]),
                 })
        {
            var existing = await intruder.Client.SendAsync(method, $"/v1/policies/{id}", body, headers);
            var absent = await intruder.Client.SendAsync(method, $"/v1/policies/{missing}", body, headers);

            Assert.Equal(HttpStatusCode.NotFound, existing.Status);
            Assert.Equal(absent.Status, existing.Status);
            Assert.Equal(Http.AssertIbmError(absent.Body, HttpStatusCode.NotFound, "policy_not_found").Replace(missing, id, StringComparison.Ordinal),
                Http.AssertIbmError(existing.Body, HttpStatusCode.NotFound, "policy_not_found"));
        }

        var (listStatus, list, _) = await intruder.Client.SendAsync(HttpMethod.Get, $"/v1/policies?account_id={owner.AccountId}");
        Assert.Equal(HttpStatusCode.OK, listStatus);
        Assert.Empty(PolicyIds(list));
        var (_, still, _) = await owner.Client.SendAsync(HttpMethod.Get, $"/v1/policies/{id}");
        Assert.Equal("active", still.GetProperty("state").GetString());
    }

    [Fact]
    public async Task Create_InAnotherAccountIsForbiddenAlikeForExistingAndUnknownAccounts()
    {
        var owner = await app.OperatorAsync();
        var intruder = await app.NewTenantAsync("creator");

        // The refusal names the scope asked for, so both ask for the same instance.
        var instance = Unique();
        var existing = await intruder.Client.SendAsync(HttpMethod.Post, "/v1/policies", Policies.AtrackerToCos(owner.AccountId, instance));
        var unknownAccount = Ids.NewHex32();
        var unknown = await intruder.Client.SendAsync(HttpMethod.Post, "/v1/policies", Policies.AtrackerToCos(unknownAccount, instance));

        Assert.Equal(HttpStatusCode.Forbidden, existing.Status);
        Assert.Equal(HttpStatusCode.Forbidden, unknown.Status);
        Assert.Equal(
            Http.AssertIbmError(unknown.Body, HttpStatusCode.Forbidden, "insufficent_permissions").Replace(unknownAccount, owner.AccountId, StringComparison.Ordinal),
            Http.AssertIbmError(existing.Body, HttpStatusCode.Forbidden, "insufficent_permissions"));
        var (_, list, _) = await owner.Client.SendAsync(HttpMethod.Get, $"/v1/policies?account_id={owner.AccountId}&limit=100");
        Assert.DoesNotContain(list.GetProperty("policies").EnumerateArray(), p => p.GetProperty("created_by_id").GetString() == intruder.OwnerIamId);
    }

    [Fact]
    public async Task Create_CrossAccountSourceNeedsOnlyItsAccountId()
    {
        var owner = await app.OperatorAsync();
        var sourceAccount = Ids.NewHex32();

        var (status, created, _) = await owner.Client.SendAsync(HttpMethod.Post, "/v1/policies",
            Policies.AtrackerToCos(owner.AccountId, Unique(), sourceAccount: sourceAccount));

        Assert.Equal(HttpStatusCode.Created, status);
        Assert.Equal(sourceAccount, created.GetProperty("subjects")[0].GetProperty("attributes")[0].GetProperty("value").GetString());
    }

    public static TheoryData<string[], string[]> ScopeForms => new()
    {
        { ["serviceName=atracker"], ["serviceName=cloud-object-storage"] },
        { ["serviceName=atracker", "resourceGroupId=rg-src"], ["serviceName=cloud-object-storage"] },
        { ["serviceName=atracker", "serviceInstance=src-guid"], ["serviceName=cloud-object-storage", "serviceInstance=cos-guid"] },
        { ["serviceName=atracker", "serviceInstance=src-guid", "resourceType=target"], ["serviceName=cloud-object-storage", "resourceGroupId=rg-tgt"] },
        { ["serviceName=atracker"], ["serviceName=cloud-object-storage", "serviceInstance=cos-guid", "resourceType=bucket", "resource=audit"] },
    };

    [Theory]
    [MemberData(nameof(ScopeForms))]
    public async Task Create_AcceptsEveryScopeForm(string[] subject, string[] resource)
    {
        var tenant = await app.NewTenantAsync("scopes");

        var (status, created, _) = await tenant.Client.SendAsync(HttpMethod.Post, "/v1/policies",
            Policies.Authorization([$"accountId={tenant.AccountId}", .. subject], [Policies.ObjectWriter], [$"accountId={tenant.AccountId}", .. resource]));

        Assert.Equal(HttpStatusCode.Created, status);
        Assert.Equal(resource.Length + 1, created.GetProperty("resources")[0].GetProperty("attributes").GetArrayLength());
    }

    [Fact]
    public async Task Create_UnsupportedPairOrRoleNamesTheValidRoles()
    {
        var owner = await app.OperatorAsync();

        var (pairStatus, pair, _) = await owner.Client.SendAsync(HttpMethod.Post, "/v1/policies", Policies.Authorization(
            [$"accountId={owner.AccountId}", "serviceName=kms"], [Policies.Reader], [$"accountId={owner.AccountId}", "serviceName=cloud-object-storage"]));
        var (roleStatus, role, _) = await owner.Client.SendAsync(HttpMethod.Post, "/v1/policies", Policies.Authorization(
            [$"accountId={owner.AccountId}", "serviceName=event-notifications"], ["crn:v1:bluemix:public:iam::::serviceRole:Manager"],
            [$"accountId={owner.AccountId}", "serviceName=cloud-object-storage"]));

        Assert.Equal(HttpStatusCode.BadRequest, pairStatus);
        Assert.Contains("Valid roles are NONE", Http.AssertIbmError(pair, HttpStatusCode.BadRequest, "role_not_supported"), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, roleStatus);
        var message = Http.AssertIbmError(role, HttpStatusCode.BadRequest, "role_not_supported");
        Assert.Contains("Reader (crn:v1:bluemix:public:iam::::serviceRole:Reader)", message, StringComparison.Ordinal);
        Assert.Contains("Object Writer (crn:v1:bluemix:public:cloud-object-storage::::serviceRole:ObjectWriter)", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EveryChange_WritesExactlyOneAuditEvent()
    {
        var tenant = await app.NewTenantAsync("audited");
        var before = await EventCountAsync(tenant.AccountId);
        var (_, created, response) = await tenant.Client.SendAsync(HttpMethod.Post, "/v1/policies", Policies.AtrackerToCos(tenant.AccountId, "i1"),
            ("Transaction-Id", "tx-audit-1"));
        var id = created.GetProperty("id").GetString()!;
        var path = $"/v1/policies/{id}";
        var (_, _, replaced) = await tenant.Client.SendAsync(HttpMethod.Put, path, Policies.AtrackerToCos(tenant.AccountId, "i2"), ("If-Match", response.ETag()));
        await tenant.Client.SendAsync(HttpMethod.Delete, path);
        var (_, _, fetched) = await tenant.Client.SendAsync(HttpMethod.Get, path);
        await tenant.Client.SendAsync(HttpMethod.Patch, path, new { state = "active" }, ("If-Match", fetched.ETag()));
        await tenant.Client.SendAsync(HttpMethod.Post, "/v1/policies", Policies.AtrackerToCos(tenant.AccountId, "i2")); // duplicate: no event

        var events = (await app.Store.ListEventsAsync(new EventQuery { AccountId = tenant.AccountId, AfterSequence = 0, Limit = 100 }, CancellationToken.None)).Skip(before).ToList();

        Assert.Equal(["iam-am.policy.create", "iam-am.policy.update", "iam-am.policy.delete", "iam-am.policy.update"], events.Select(e => e.Action));
        Assert.All(events, e =>
        {
            Assert.Equal($"crn:v1:bluemix:public:iam-am::a/{tenant.AccountId}::policy:{id}", e.Target.Id);
            Assert.Equal("iam-am/policy", e.Target.TypeUri);
            Assert.Equal(tenant.OwnerIamId, e.Initiator.Id);
            Assert.Equal("success", e.Outcome);
        });
        Assert.Equal([201, 200, 204, 200], events.Select(e => e.ReasonCode));
        Assert.Equal("tx-audit-1", (string?)events[0].ResponseData!["transaction_id"]);
        Assert.Equal(HttpStatusCode.OK, replaced.StatusCode);
        Assert.True(events.Zip(events.Skip(1)).All(pair => pair.First.Revision < pair.Second.Revision));
    }

    /// <summary>The account's events, once refusals answered so far are in (they are written after the answer, and would land between two counts).</summary>
    private async Task<int> EventCountAsync(string accountId)
    {
        await app.RefusalsWrittenAsync();
        return (await app.Store.ListEventsAsync(new EventQuery { AccountId = accountId, AfterSequence = 0, Limit = 10_000 }, CancellationToken.None)).Count;
    }

    private static List<string> PolicyIds(JsonElement list) => list.GetProperty("policies").EnumerateArray().Select(p => p.GetProperty("id").GetString()!).ToList();

    private static string Unique() => Guid.NewGuid().ToString();
}
