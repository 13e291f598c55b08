using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Tessera.Server.Tests;

/// <summary>
/// <c>/v2/policies</c>: IBM's v2 view over the same policies as v1 (reference §2.3–§2.6) — the shapes IBM's SDK and
/// Terraform send and read, the two views of one policy, and the v2-only content: stringExists, the any-of operators
/// and time-based rules.
/// </summary>
public class PoliciesV2ApiTests(TesseraApp app) : IClassFixture<TesseraApp>
{
    [Fact]
    public async Task Create_Returns201_EveryAttributeWithItsOperator_RolesByIdOnly_AndAV1Href()
    {
        var owner = await app.OperatorAsync();
        var instance = Unique();
        var body = Policies.V2Authorization(
            ["serviceName=cloud-object-storage", $"accountId={owner.AccountId}", $"serviceInstance={Unique()}"],
            [Policies.Reader],
            ["serviceName=kms", $"accountId={owner.AccountId}", $"serviceInstance={instance}"],
            "Authorization Policy");

        var (status, created, response) = await owner.Client.SendAsync(HttpMethod.Post, "/v2/policies", body, ("Transaction-Id", "tf-create-1"));

        Assert.Equal(HttpStatusCode.Created, status);
        Assert.Matches("^1-[0-9a-f]{32}$", response.ETag());
        Assert.Equal("tf-create-1", response.Headers.GetValues("Transaction-Id").Single());
        var id = created.GetProperty("id").GetString();
        Assert.EndsWith($"/v1/policies/{id}", created.GetProperty("href").GetString(), StringComparison.Ordinal);
        Assert.True(JsonNode.DeepEquals(body["subject"], JsonNode.Parse(created.GetProperty("subject").GetRawText())));
        Assert.True(JsonNode.DeepEquals(body["resource"], JsonNode.Parse(created.GetProperty("resource").GetRawText())));
        // Without format=display a role is its id and nothing else (IBM's Go SDK test compares the whole control).
        Assert.True(JsonNode.DeepEquals(body["control"], JsonNode.Parse(created.GetProperty("control").GetRawText())));
        Assert.Equal(("active", "Authorization Policy"), (created.GetProperty("state").GetString(), created.GetProperty("description").GetString()));
        Assert.False(created.TryGetProperty("rule", out _));
    }

    [Fact]
    public async Task OnePolicy_TwoViews_CreatedInEither_ReadListedAndDeletedInTheOther()
    {
        var owner = await app.OperatorAsync();
        var (_, viaV2, _) = await owner.Client.SendAsync(HttpMethod.Post, "/v2/policies", CosToKms(owner.AccountId, Unique()));
        var (_, viaV1, _) = await owner.Client.SendAsync(HttpMethod.Post, "/v1/policies", Policies.AtrackerToCos(owner.AccountId, Unique()));
        var v2Id = viaV2.GetProperty("id").GetString();
        var v1Id = viaV1.GetProperty("id").GetString();

        var (v1Status, asV1, _) = await owner.Client.SendAsync(HttpMethod.Get, $"/v1/policies/{v2Id}");
        Assert.Equal(HttpStatusCode.OK, v1Status);
        Assert.Equal("kms", Attribute(asV1.GetProperty("resources")[0], "name", "serviceName"));
        Assert.Equal("Reader", asV1.GetProperty("roles")[0].GetProperty("display_name").GetString());
        var (v2Status, asV2, _) = await owner.Client.SendAsync(HttpMethod.Get, $"/v2/policies/{v1Id}");
        Assert.Equal(HttpStatusCode.OK, v2Status);
        Assert.Equal("cloud-object-storage", Attribute(asV2.GetProperty("resource"), "key", "serviceName"));
        Assert.All(asV2.GetProperty("subject").GetProperty("attributes").EnumerateArray(), a => Assert.Equal("stringEquals", a.GetProperty("operator").GetString()));

        var v1List = await ListIdsAsync(owner, $"/v1/policies?account_id={owner.AccountId}&type=authorization");
        var v2List = await ListIdsAsync(owner, $"/v2/policies?account_id={owner.AccountId}&type=authorization");
        Assert.Equal(v1List, v2List);
        Assert.Contains(v2Id, v1List);

        Assert.Equal(HttpStatusCode.NoContent, (await owner.Client.SendAsync(HttpMethod.Delete, $"/v1/policies/{v2Id}")).Status);
        Assert.Equal(HttpStatusCode.NoContent, (await owner.Client.SendAsync(HttpMethod.Delete, $"/v2/policies/{v1Id}")).Status);
        var (_, deleted, _) = await owner.Client.SendAsync(HttpMethod.Get, $"/v2/policies/{v2Id}");
        Assert.Equal("deleted", deleted.GetProperty("state").GetString());
        Assert.DoesNotContain(v2Id, await ListIdsAsync(owner, $"/v2/policies?account_id={owner.AccountId}"));
        Assert.Contains(v2Id, await ListIdsAsync(owner, $"/v2/policies?account_id={owner.AccountId}&state=deleted"));
    }

    [Fact]
    public async Task Replace_NeedsTheETag_AnswersANewOne_AndAStaleOneIs412()
    {
        var owner = await app.OperatorAsync();
        var instance = Unique();
        var (_, created, createResponse) = await owner.Client.SendAsync(HttpMethod.Post, "/v2/policies", CosToKms(owner.AccountId, instance));
        var id = created.GetProperty("id").GetString();
        var etag = createResponse.ETag();
        var changed = CosToKms(owner.AccountId, instance, "crn:v1:bluemix:public:iam::::serviceRole:Reader", "replaced");

        var (noMatch, noMatchBody, _) = await owner.Client.SendAsync(HttpMethod.Put, $"/v2/policies/{id}", changed);
        var (status, replaced, response) = await owner.Client.SendAsync(HttpMethod.Put, $"/v2/policies/{id}", changed, ("If-Match", etag));
        var (stale, _, _) = await owner.Client.SendAsync(HttpMethod.Put, $"/v2/policies/{id}", changed, ("If-Match", etag));

        Assert.NotEqual(HttpStatusCode.OK, noMatch);
        Assert.Equal(JsonValueKind.Array, noMatchBody.GetProperty("errors").ValueKind);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.NotEqual(etag, response.ETag());
        Assert.Equal("replaced", replaced.GetProperty("description").GetString());
        Assert.Equal(HttpStatusCode.PreconditionFailed, stale);
    }

    [Fact]
    public async Task FormatDisplay_EnrichesRolesWithTheirActions()
    {
        var owner = await app.OperatorAsync();
        var (_, created, _) = await owner.Client.SendAsync(HttpMethod.Post, "/v2/policies", CosToKms(owner.AccountId, Unique()));

        var (_, shown, _) = await owner.Client.SendAsync(HttpMethod.Get, $"/v2/policies/{created.GetProperty("id").GetString()}?format=display");

        var role = Assert.Single(shown.GetProperty("control").GetProperty("grant").GetProperty("roles").EnumerateArray());
        Assert.Equal(("Reader", Policies.Reader), (role.GetProperty("display_name").GetString(), role.GetProperty("role_id").GetString()));
        Assert.Contains("kms.secrets.unwrap", role.GetProperty("actions").EnumerateArray().Select(a => a.GetProperty("id").GetString()));
        var (bad, body, _) = await owner.Client.SendAsync(HttpMethod.Get, $"/v2/policies/{created.GetProperty("id").GetString()}?format=pretty");
        Http.AssertIbmError(body, HttpStatusCode.BadRequest, "invalid_query_parameter");
        Assert.Equal(HttpStatusCode.BadRequest, bad);
    }

    [Fact]
    public async Task V2OnlyContent_RoundTrips_AndV1ShowsItWithoutBreaking_ButCannotReplaceIt()
    {
        var owner = await app.OperatorAsync();
        var body = Policies.V2Authorization(
            [$"accountId={owner.AccountId}", "serviceName=cloud-object-storage", Policies.V2Attribute("resourceGroupId", "stringExists", true)],
            [Policies.Reader],
            [$"accountId={owner.AccountId}", "serviceName=kms", Policies.V2Attribute("serviceInstance", "stringEqualsAnyOf", new JsonArray("k1", "k2"))]);
        body["pattern"] = "time-based-conditions:weekly:custom-hours";
        body["rule"] = JsonNode.Parse("""
            {"operator":"and","conditions":[
              {"key":"{{environment.attributes.day_of_week}}","operator":"dayOfWeekAnyOf","value":["1+00:00","2+00:00","3+00:00","4+00:00","5+00:00"]},
              {"key":"{{environment.attributes.current_time}}","operator":"timeGreaterThanOrEquals","value":"09:00:00+00:00"},
              {"key":"{{environment.attributes.current_time}}","operator":"timeLessThanOrEquals","value":"17:00:00+00:00"}]}
            """);

        var (status, created, createResponse) = await owner.Client.SendAsync(HttpMethod.Post, "/v2/policies", body);

        Assert.Equal(HttpStatusCode.Created, status);
        Assert.True(JsonNode.DeepEquals(body["subject"], JsonNode.Parse(created.GetProperty("subject").GetRawText())));
        Assert.True(JsonNode.DeepEquals(body["resource"], JsonNode.Parse(created.GetProperty("resource").GetRawText())));
        Assert.True(JsonNode.DeepEquals(body["rule"], JsonNode.Parse(created.GetProperty("rule").GetRawText())));
        Assert.Equal("time-based-conditions:weekly:custom-hours", created.GetProperty("pattern").GetString());
        var id = created.GetProperty("id").GetString();

        var (_, asV1, v1Response) = await owner.Client.SendAsync(HttpMethod.Get, $"/v1/policies/{id}");
        var subject = asV1.GetProperty("subjects")[0].GetProperty("attributes");
        Assert.Equal(("true", "stringExists"), (subject[2].GetProperty("value").GetString(), subject[2].GetProperty("operator").GetString()));
        Assert.Equal("k1,k2", asV1.GetProperty("resources")[0].GetProperty("attributes")[2].GetProperty("value").GetString());
        Assert.Equal(JsonValueKind.Object, asV1.GetProperty("rule").ValueKind);

        var v1Replace = Policies.Authorization([$"accountId={owner.AccountId}", "serviceName=cloud-object-storage"], [Policies.Reader],
            [$"accountId={owner.AccountId}", "serviceName=kms"]);
        var (refused, refusal, _) = await owner.Client.SendAsync(HttpMethod.Put, $"/v1/policies/{id}", v1Replace, ("If-Match", v1Response.ETag()));
        Http.AssertIbmError(refusal, HttpStatusCode.BadRequest, "invalid_body");
        Assert.Equal(HttpStatusCode.BadRequest, refused);
        Assert.Contains("/v2/policies/", refusal.GetProperty("errors")[0].GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"key":"resourceGroupId","operator":"stringExists","value":"yes"}""", "must be true or false")]
    [InlineData("""{"key":"serviceInstance","operator":"stringEqualsAnyOf","value":"k1"}""", "must be an array")]
    [InlineData("""{"key":"serviceInstance","operator":"stringNotEquals","value":"k1"}""", "operator must be one of")]
    [InlineData("""{"key":"serviceInstance","value":"k1"}""", "operator")]
    public async Task BadV2Attributes_Are400_NamingWhatIsWrong(string attribute, string expected)
    {
        var owner = await app.OperatorAsync();
        var body = CosToKms(owner.AccountId, Unique());
        body["resource"]!["attributes"]!.AsArray().Add(JsonNode.Parse(attribute));

        var (status, error, _) = await owner.Client.SendAsync(HttpMethod.Post, "/v2/policies", body);

        Http.AssertIbmError(error, HttpStatusCode.BadRequest, "invalid_body");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains(expected, error.GetProperty("errors")[0].GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AListWithoutALimit_IsWhole_AndWithOne_PagesByNextStart()
    {
        var owner = await app.NewTenantAsync("v2-list");
        for (var i = 0; i < 55; i++)
            Assert.Equal(HttpStatusCode.Created, (await owner.Client.SendAsync(HttpMethod.Post, "/v2/policies", CosToKms(owner.AccountId, Unique()))).Status);

        var (_, whole, _) = await owner.Client.SendAsync(HttpMethod.Get, $"/v1/policies?account_id={owner.AccountId}&type=authorization");
        Assert.Equal(55, whole.GetProperty("policies").GetArrayLength());
        Assert.False(whole.TryGetProperty("next", out _));

        var (_, page, _) = await owner.Client.SendAsync(HttpMethod.Get, $"/v2/policies?account_id={owner.AccountId}&limit=50&sort=-created_at");
        Assert.Equal(50, page.GetProperty("policies").GetArrayLength());
        Assert.Contains("/v2/policies?", page.GetProperty("next").GetProperty("href").GetString(), StringComparison.Ordinal);
        var start = Uri.EscapeDataString(page.GetProperty("next").GetProperty("start").GetString()!);
        var (_, rest, _) = await owner.Client.SendAsync(HttpMethod.Get, $"/v2/policies?account_id={owner.AccountId}&limit=50&sort=-created_at&start={start}");
        Assert.Equal(5, rest.GetProperty("policies").GetArrayLength());
        Assert.Empty((await ListIdsAsync(owner, $"/v2/policies?account_id={owner.AccountId}&service_group_id=IAM")));
        Assert.Equal(55, (await ListIdsAsync(owner, $"/v2/policies?account_id={owner.AccountId}&service_name=kms")).Count);
    }

    [Fact]
    public async Task IbmsResourceGroupShapes_AsSourceAndAsTarget_AreAcceptedWithViewer_AndDecided()
    {
        var owner = await app.NewTenantAsync("v2-groups");
        var account = owner.AccountId;
        const string viewer = "crn:v1:bluemix:public:iam::::role:Viewer";
        // Every service of a resource group as the source (IBM's "resourceGroupId" with stringExists), on one kms instance.
        var fromGroup = Policies.V2Authorization([$"accountId={account}", Policies.V2Attribute("resourceGroupId", "stringExists", true)], [viewer],
            [$"accountId={account}", "serviceName=kms", "serviceInstance=kms-rg"]);
        // A source service on the account's resource groups (IBM's target resourceType "resource-group").
        var onGroups = Policies.V2Authorization([$"accountId={account}", "serviceName=cloud-object-storage"], [viewer],
            [$"accountId={account}", "resourceType=resource-group"]);
        foreach (var body in new[] { fromGroup, onGroups })
        {
            var (status, created, _) = await owner.Client.SendAsync(HttpMethod.Post, "/v2/policies", body);
            Assert.True(status == HttpStatusCode.Created, created.ToString());
        }
        var writer = Policies.V2Authorization([$"accountId={account}", "serviceName=cloud-object-storage"], [Policies.Reader],
            [$"accountId={account}", "resourceType=resource-group"]);
        var (refused, refusal, _) = await owner.Client.SendAsync(HttpMethod.Post, "/v2/policies", writer);
        Assert.Equal(HttpStatusCode.BadRequest, refused);
        Assert.Contains("grants Viewer", refusal.GetProperty("errors")[0].GetProperty("message").GetString(), StringComparison.Ordinal);

        async Task<bool> DecideAsync(JsonObject subject, string action, string resource)
        {
            var (status, body, _) = await owner.Client.SendAsync(HttpMethod.Post, "/access/v1/evaluation", new JsonObject
            {
                ["subject"] = subject, ["action"] = new JsonObject { ["name"] = action }, ["resource"] = new JsonObject { ["type"] = "instance", ["id"] = resource },
            });
            Assert.Equal(HttpStatusCode.OK, status);
            return body.GetProperty("decision").GetBoolean();
        }
        JsonObject Service(string name, string? group = null)
        {
            var subject = new JsonObject { ["type"] = "service", ["id"] = $"crn:v1:bluemix:public:{name}:us-south:a/{account}:src-1::" };
            if (group is not null)
                subject["properties"] = new JsonObject { ["resourceGroupId"] = group };
            return subject;
        }
        var kms = $"crn:v1:bluemix:public:kms:us-south:a/{account}:kms-rg::";
        var group = $"crn:v1:bluemix:public:resource-controller:global:a/{account}::resource-group:rg-7";
        Assert.True(await DecideAsync(Service("messagehub", "rg-1"), "resource-controller.instance.retrieve", kms));
        Assert.False(await DecideAsync(Service("messagehub"), "resource-controller.instance.retrieve", kms));
        Assert.True(await DecideAsync(Service("cloud-object-storage"), "resource-controller.group.retrieve", group));
        Assert.False(await DecideAsync(Service("atracker"), "resource-controller.group.retrieve", group));
    }

    [Fact]
    public async Task AnAdministratorOfTheResourceController_NotOnlyTheOwner_MayAuthorizeOnResourceGroups()
    {
        var owner = await app.NewTenantAsync("v2-group-admin");
        var admin = await app.AddUserAsync(owner, "groups-admin@example.test");
        var onGroups = Policies.V2Authorization([$"accountId={owner.AccountId}", "serviceName=cloud-object-storage"], ["crn:v1:bluemix:public:iam::::role:Viewer"],
            [$"accountId={owner.AccountId}", "resourceType=resource-group"]);

        var (before, _, _) = await admin.Client.SendAsync(HttpMethod.Post, "/v2/policies", onGroups);
        await owner.GrantAsync(admin.IamId, [Policies.Administrator], "serviceName=resource-controller");
        var (after, created, _) = await admin.Client.SendAsync(HttpMethod.Post, "/v2/policies", onGroups);

        Assert.Equal(HttpStatusCode.Forbidden, before);
        Assert.True(after == HttpStatusCode.Created, created.ToString());
    }

    private static JsonObject CosToKms(string account, string instance, string role = Policies.Reader, string? description = null) =>
        Policies.V2Authorization(["serviceName=cloud-object-storage", $"accountId={account}"], [role],
            ["serviceName=kms", $"accountId={account}", $"serviceInstance={instance}"], description);

    private static string? Attribute(JsonElement side, string nameField, string name) =>
        side.GetProperty("attributes").EnumerateArray().First(a => a.GetProperty(nameField).GetString() == name).GetProperty("value").GetString();

    private static async Task<List<string?>> ListIdsAsync(Tenant owner, string path)
    {
        var (status, list, _) = await owner.Client.SendAsync(HttpMethod.Get, path);
        Assert.Equal(HttpStatusCode.OK, status);
        return list.GetProperty("policies").EnumerateArray().Select(p => p.GetProperty("id").GetString()).ToList();
    }

    private static string Unique() => Guid.NewGuid().ToString();
}
