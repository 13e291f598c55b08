using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Tessera.Server.Tests;

public class DecisionsApiTests(TesseraApp app) : IClassFixture<TesseraApp>
{
    private const string Put = "cloud-object-storage.object.put";

    [Fact]
    public async Task Evaluation_SeesEveryWriteAsSoonAsItReturns()
    {
        var tenant = await app.NewTenantAsync("ryw");
        var request = Evaluation(tenant.AccountId, "cos-1", Put);

        Assert.False(await DecideAsync(tenant, request));
        var (_, created, response) = await tenant.Client.SendAsync(HttpMethod.Post, "/v1/policies", Policies.AtrackerToCos(tenant.AccountId, "cos-1"));
        var id = created.GetProperty("id").GetString()!;
        var (_, permitted, _) = await tenant.Client.SendAsync(HttpMethod.Post, "/access/v1/evaluation", request);
        Assert.True(permitted.GetProperty("decision").GetBoolean());
        Assert.Equal([id], permitted.GetProperty("context").GetProperty("policy_ids").EnumerateArray().Select(p => p.GetString()));

        var (_, _, replaced) = await tenant.Client.SendAsync(HttpMethod.Put, $"/v1/policies/{id}", Policies.AtrackerToCos(tenant.AccountId, "cos-2"), ("If-Match", response.ETag()));
        Assert.False(await DecideAsync(tenant, request));
        Assert.True(await DecideAsync(tenant, Evaluation(tenant.AccountId, "cos-2", Put)));

        await tenant.Client.SendAsync(HttpMethod.Delete, $"/v1/policies/{id}");
        Assert.False(await DecideAsync(tenant, Evaluation(tenant.AccountId, "cos-2", Put)));
        var (_, _, fetched) = await tenant.Client.SendAsync(HttpMethod.Get, $"/v1/policies/{id}");
        await tenant.Client.SendAsync(HttpMethod.Patch, $"/v1/policies/{id}", new { state = "active" }, ("If-Match", fetched.ETag()));
        Assert.True(await DecideAsync(tenant, Evaluation(tenant.AccountId, "cos-2", Put)));
        Assert.Equal(HttpStatusCode.OK, replaced.StatusCode);
    }

    [Fact]
    public async Task Evaluation_ReadsEscapedAndNonAsciiValuesAsWritten()
    {
        var tenant = await app.NewTenantAsync("escaped");
        await tenant.Client.SendAsync(HttpMethod.Post, "/v1/policies", Policies.AtrackerToCos(tenant.AccountId, "cos-ü"));
        string Request(string crn, string instance, string put) =>
            "{\"subject\":{\"type\":\"service\",\"id\":\"" + crn + ":v1:bluemix:public:atracker:us-south:a/" + tenant.AccountId + ":at-1::\"}," +
            "\"action\":{\"name\":\"" + put + "\"}," +
            "\"resource\":{\"type\":\"bucket\",\"id\":\"" + crn + ":v1:bluemix:public:cloud-object-storage:global:a/" + tenant.AccountId + ":" + instance +
            ":bucket:logs\"}}";

        // UTF-8 as sent, and the same values with JSON escapes (\u0063 is 'c', \u00fc is 'ü', \u002e is '.').
        Assert.True(await DecideAsync(tenant, Request("crn", "cos-ü", Put)));
        Assert.True(await DecideAsync(tenant, Request("\\u0063rn", "cos-\\u00fc", "cloud-object-storage.object\\u002eput")));
        Assert.False(await DecideAsync(tenant, Request("crn", "cos-u", Put)));
    }

    [Fact]
    public async Task Evaluation_OfAMisspelledAction_SaysItIsUnknownAndNamesTheClosest()
    {
        var tenant = await app.NewTenantAsync("typo");
        await tenant.Client.SendAsync(HttpMethod.Post, "/v1/policies", Policies.AtrackerToCos(tenant.AccountId, "cos-1"));

        var (status, body, _) = await tenant.Client.SendAsync(HttpMethod.Post, "/access/v1/evaluation",
            Evaluation(tenant.AccountId, "cos-1", "cloud-object-storage.objects.put"));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.False(body.GetProperty("decision").GetBoolean());
        var context = body.GetProperty("context");
        Assert.Equal("unknown_action", context.GetProperty("reason_code").GetString());
        Assert.Contains($"did you mean '{Put}'", context.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.True(await DecideAsync(tenant, Evaluation(tenant.AccountId, "cos-1", Put)));
    }

    [Fact]
    public async Task Evaluation_DenySaysWhyAndExplainsOnRequest()
    {
        var tenant = await app.NewTenantAsync("why");
        await tenant.Client.SendAsync(HttpMethod.Post, "/v1/policies", Policies.AtrackerToCos(tenant.AccountId, "cos-1"));
        var request = Evaluation(tenant.AccountId, "cos-1", "cloud-object-storage.object.get");

        var (status, plain, _) = await tenant.Client.SendAsync(HttpMethod.Post, "/access/v1/evaluation", request);
        request["context"] = new JsonObject { ["explain"] = true };
        var (_, explained, _) = await tenant.Client.SendAsync(HttpMethod.Post, "/access/v1/evaluation", request);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.False(plain.GetProperty("decision").GetBoolean());
        Assert.Equal("action_not_granted", plain.GetProperty("context").GetProperty("reason_code").GetString());
        Assert.False(plain.GetProperty("context").TryGetProperty("explanation", out _));
        var closest = explained.GetProperty("context").GetProperty("explanation").GetProperty("closest_policies");
        var mismatch = Assert.Single(Assert.Single(closest.EnumerateArray()).GetProperty("mismatches").EnumerateArray()).GetString();
        Assert.Contains("'cloud-object-storage.object.get' is not granted", mismatch, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Subject_PropertiesNeverOverrideTheCrn()
    {
        var tenant = await app.NewTenantAsync("claims");
        await tenant.Client.SendAsync(HttpMethod.Post, "/v1/policies", Policies.AtrackerToCos(tenant.AccountId, "cos-1"));
        var request = Evaluation(tenant.AccountId, "cos-1", Put);
        request["subject"] = new JsonObject
        {
            ["type"] = "service",
            ["id"] = $"crn:v1:bluemix:public:logs:us-south:a/{tenant.AccountId}:logs-1::",
            ["properties"] = new JsonObject { ["serviceName"] = "atracker" },
        };
        var propertiesOnly = Evaluation(tenant.AccountId, "cos-1", Put);
        propertiesOnly["subject"] = new JsonObject
        {
            ["type"] = "service",
            ["properties"] = new JsonObject { ["accountId"] = tenant.AccountId, ["serviceName"] = "atracker" },
        };

        Assert.False(await DecideAsync(tenant, request));
        Assert.True(await DecideAsync(tenant, propertiesOnly));
    }

    [Fact]
    public async Task TokenSubject_UsesTheVerifiedIdentityInside()
    {
        var tenant = await app.NewTenantAsync("tokens");
        await tenant.Client.SendAsync(HttpMethod.Post, "/v1/policies", Policies.AtrackerToCos(tenant.AccountId, "cos-1"));
        var instanceCrn = $"crn:v1:bluemix:public:atracker:us-south:a/{tenant.AccountId}:at-1::";
        var instanceToken = await SignedTokenAsync($"crn-{instanceCrn}", tenant.AccountId);

        var asInstance = Evaluation(tenant.AccountId, "cos-1", Put);
        asInstance["subject"] = new JsonObject { ["type"] = "token", ["id"] = instanceToken, ["properties"] = new JsonObject { ["serviceName"] = "logs" } };
        var asUser = Evaluation(tenant.AccountId, "cos-1", Put);
        asUser["subject"] = new JsonObject { ["type"] = "token", ["id"] = await app.TokenAsync(tenant.ApiKey) };
        var forged = Evaluation(tenant.AccountId, "cos-1", Put);
        forged["subject"] = new JsonObject { ["type"] = "token", ["id"] = instanceToken[..^4] + "AAAA" };

        Assert.True(await DecideAsync(tenant, asInstance));
        Assert.False(await DecideAsync(tenant, asUser));
        var (status, error, _) = await tenant.Client.SendAsync(HttpMethod.Post, "/access/v1/evaluation", forged);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("not a valid", Http.AssertIbmError(error, HttpStatusCode.BadRequest, "invalid_body"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Evaluations_UseDefaultsHonourTheSemanticAndSurviveABadItem()
    {
        var tenant = await app.NewTenantAsync("batch");
        await tenant.Client.SendAsync(HttpMethod.Post, "/v1/policies", Policies.AtrackerToCos(tenant.AccountId, "cos-1"));
        var template = Evaluation(tenant.AccountId, "cos-1", Put);
        JsonObject Batch(string? semantic) => new()
        {
            ["subject"] = template["subject"]!.DeepClone(),
            ["resource"] = template["resource"]!.DeepClone(),
            ["evaluations"] = new JsonArray(
                new JsonObject { ["action"] = new JsonObject { ["name"] = Put } },
                new JsonObject { ["action"] = new JsonObject { ["name"] = "cloud-object-storage.object.get" } },
                new JsonObject { ["action"] = new JsonObject { ["nom"] = "x" } },
                new JsonObject { ["action"] = new JsonObject { ["name"] = Put }, ["resource"] = new JsonObject { ["type"] = "x", ["id"] = "crn:bad" } },
                new JsonObject { ["action"] = new JsonObject { ["name"] = Put } },
                // An item's own subject overrides the default one, which the batch reads once.
                new JsonObject
                {
                    ["subject"] = new JsonObject { ["type"] = "service", ["id"] = $"crn:v1:bluemix:public:logs-router:us-south:a/{tenant.AccountId}:lr-1::" },
                    ["action"] = new JsonObject { ["name"] = Put },
                }),
            ["options"] = semantic is null ? null : new JsonObject { ["evaluations_semantic"] = semantic },
        };

        async Task<List<JsonElement>> RunAsync(string? semantic)
        {
            var (status, body, _) = await tenant.Client.SendAsync(HttpMethod.Post, "/access/v1/evaluations", Batch(semantic));
            Assert.Equal(HttpStatusCode.OK, status);
            return body.GetProperty("evaluations").EnumerateArray().ToList();
        }

        var all = await RunAsync(null);
        Assert.Equal([true, false, false, false, true, false], all.Select(e => e.GetProperty("decision").GetBoolean()));
        Assert.Equal(400, all[2].GetProperty("context").GetProperty("error").GetProperty("status").GetInt32());
        Assert.Contains("is not a CRN", all[3].GetProperty("context").GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(6, (await RunAsync("execute_all")).Count);
        Assert.Equal(2, (await RunAsync("deny_on_first_deny")).Count);
        Assert.Single(await RunAsync("permit_on_first_permit"));
    }

    [Theory]
    [InlineData("""{"action":{"name":"x"},"resource":{"type":"t","id":"i"}}""", "subject, action and resource are required")]
    [InlineData("""{"subject":{"type":"service","id":"not-a-crn"},"action":{"name":"x"},"resource":{"type":"t","id":"i"}}""", "source instance's CRN")]
    [InlineData("""{"subject":{"type":"robot","id":"u"},"action":{"name":"x"},"resource":{"type":"t","id":"i"}}""", "subject.type 'robot' is not supported")]
    [InlineData("""{"subject":{"type":"service","properties":{"accountId":7}},"action":{"name":"x"},"resource":{"type":"t","id":"i"}}""", "accountId must be a string")]
    [InlineData("""{"subject":{"type":"service","properties":{}},"action":{"name":""},"resource":{"type":"t","id":"i"}}""", "non-empty string 'name'")]
    [InlineData("""{"subject":{"type":"service","properties":{}},"action":{"name":"x"},"resource":{"type":"t","id":"i"},"context":{"explain":"yes"}}""", "context.explain must be a boolean")]
    [InlineData("[]", "an evaluation must be a JSON object")]
    public async Task Evaluation_RejectsBadRequests(string body, string expected)
    {
        var owner = await app.OperatorAsync();

        var (status, error, _) = await owner.Client.SendAsync(HttpMethod.Post, "/access/v1/evaluation", body);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains(expected, Http.AssertIbmError(error, HttpStatusCode.BadRequest, "invalid_body"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/access/v1/evaluations", """{"evaluations":{}}""", "evaluations must be an array")]
    [InlineData("/access/v1/evaluations", """{"evaluations":[{}],"options":{"evaluations_semantic":"sometimes"}}""", "evaluations_semantic must be")]
    [InlineData("/access/v1/search/action", """{"subject":{"type":"service","properties":{}}}""", "subject and resource are required")]
    [InlineData("/access/v1/search/subject", """{"subject":{"type":"robot"},"resource":{"type":"t"},"action":{"name":"a"}}""", "subject.type must be 'service'")]
    [InlineData("/access/v1/search/resource", """{"subject":{"type":"service","properties":{}},"action":{"name":"a"},"page":{"limit":0}}""", "page.limit")]
    [InlineData("/access/v1/search/resource", """{"subject":{"type":"service","properties":{}},"action":{"name":"a"},"page":{"token":"%%%"}}""", "page.token")]
    public async Task BatchAndSearch_RejectBadRequests(string path, string body, string expected)
    {
        var owner = await app.OperatorAsync();

        var (status, error, _) = await owner.Client.SendAsync(HttpMethod.Post, path, body);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains(expected, Http.AssertIbmError(error, HttpStatusCode.BadRequest, "invalid_body"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Searches_AreCompleteAcrossPagesAndAgreeWithEvaluations()
    {
        var tenant = await app.NewTenantAsync("search");
        var instances = Enumerable.Range(0, 7).Select(i => $"cos-{i}").ToList();
        foreach (var instance in instances)
            await tenant.Client.SendAsync(HttpMethod.Post, "/v1/policies", Policies.AtrackerToCos(tenant.AccountId, instance));
        await tenant.Client.SendAsync(HttpMethod.Post, "/v1/policies", Policies.Authorization(
            [$"accountId={tenant.AccountId}", "serviceName=event-notifications"], [Policies.Reader, Policies.ObjectWriter],
            [$"accountId={tenant.AccountId}", "serviceName=cloud-object-storage", "serviceInstance=cos-3"]));
        var subject = new JsonObject { ["type"] = "service", ["id"] = $"crn:v1:bluemix:public:atracker:us-south:a/{tenant.AccountId}:at-1::" };

        var resources = await PageThroughAsync(tenant, "/access/v1/search/resource",
            new JsonObject { ["subject"] = subject.DeepClone(), ["action"] = new JsonObject { ["name"] = Put }, ["resource"] = new JsonObject { ["type"] = "service-instance" } });
        Assert.Equal(instances, resources.Select(r => r.GetProperty("properties").GetProperty("serviceInstance").GetString()).Order());
        Assert.All(resources, r => Assert.Equal($"crn:v1:bluemix:public:cloud-object-storage::a/{tenant.AccountId}:{r.GetProperty("properties").GetProperty("serviceInstance").GetString()}::",
            r.GetProperty("id").GetString()));

        var subjects = await PageThroughAsync(tenant, "/access/v1/search/subject", new JsonObject
        {
            ["subject"] = new JsonObject { ["type"] = "service" },
            ["action"] = new JsonObject { ["name"] = Put },
            ["resource"] = new JsonObject { ["type"] = "bucket", ["id"] = $"crn:v1:bluemix:public:cloud-object-storage:global:a/{tenant.AccountId}:cos-3:bucket:b" },
        });
        Assert.Equal(["atracker", "event-notifications"], subjects.Select(s => s.GetProperty("properties").GetProperty("serviceName").GetString()).Order());

        var resourceJson = new JsonObject { ["type"] = "bucket", ["id"] = $"crn:v1:bluemix:public:cloud-object-storage:global:a/{tenant.AccountId}:cos-3:bucket:b" };
        var actions = await PageThroughAsync(tenant, "/access/v1/search/action", new JsonObject { ["subject"] = subject.DeepClone(), ["resource"] = resourceJson.DeepClone() });
        var names = actions.Select(a => a.GetProperty("name").GetString()!).ToList();
        Assert.Contains(Put, names);
        foreach (var action in new[] { Put, "cloud-object-storage.object.get", "cloud-object-storage.bucket.get", "cloud-object-storage.object.post" })
        {
            var evaluation = new JsonObject { ["subject"] = subject.DeepClone(), ["action"] = new JsonObject { ["name"] = action }, ["resource"] = resourceJson.DeepClone() };
            Assert.Equal(names.Contains(action), await DecideAsync(tenant, evaluation));
        }
    }

    [Fact]
    public async Task Discovery_IsPublicAndDecisionsNeedAToken()
    {
        using var anonymous = app.CreateClient();

        var (status, configuration, _) = await anonymous.SendAsync(HttpMethod.Get, "/.well-known/authzen-configuration");
        var (unauthorized, _, _) = await anonymous.SendAsync(HttpMethod.Post, "/access/v1/evaluation", "{}");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.EndsWith("/access/v1/evaluations", configuration.GetProperty("access_evaluations_endpoint").GetString(), StringComparison.Ordinal);
        Assert.EndsWith("/access/v1/search/subject", configuration.GetProperty("search_subject_endpoint").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, unauthorized);
    }

    [Theory]
    [InlineData("/access/v1/evaluation")]
    [InlineData("/access/v1/evaluations")]
    [InlineData("/access/v1/search/subject")]
    [InlineData("/access/v1/search/resource")]
    [InlineData("/access/v1/search/action")]
    public async Task DecisionEndpoints_RefuseMissingAndForgedTokensInTheEnvelope(string path)
    {
        using var anonymous = app.CreateClient();
        using var forged = app.CreateClient();
        forged.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", "Bearer eyJhbGciOiJub25lIn0.eyJpYW1faWQiOiJ4In0.");

        foreach (var client in new[] { anonymous, forged })
        {
            var (status, body, _) = await client.SendAsync(HttpMethod.Post, path, """{"evaluations":[]}""");
            Assert.Equal(HttpStatusCode.Unauthorized, status);
            Http.AssertIbmError(body, HttpStatusCode.Unauthorized, "invalid_token");
        }
    }

    private static async Task<List<JsonElement>> PageThroughAsync(Tenant tenant, string path, JsonObject request)
    {
        var results = new List<JsonElement>();
        string? token = null;
        do
        {
            request["page"] = new JsonObject { ["limit"] = 2, ["token"] = token };
            var (status, body, _) = await tenant.Client.SendAsync(HttpMethod.Post, path, request);
            Assert.Equal(HttpStatusCode.OK, status);
            var page = body.GetProperty("results").EnumerateArray().ToList();
            Assert.True(page.Count <= 2);
            results.AddRange(page);
            token = body.GetProperty("page").GetProperty("next_token").GetString();
        }
        while (!string.IsNullOrEmpty(token));
        return results;
    }

    private static async Task<bool> DecideAsync(Tenant tenant, object request)
    {
        var (status, body, _) = await tenant.Client.SendAsync(HttpMethod.Post, "/access/v1/evaluation", request);
        Assert.Equal(HttpStatusCode.OK, status);
        return body.GetProperty("decision").GetBoolean();
    }

    private static JsonObject Evaluation(string account, string instance, string action) => new()
    {
        ["subject"] = new JsonObject { ["type"] = "service", ["id"] = $"crn:v1:bluemix:public:atracker:us-south:a/{account}:at-1::" },
        ["action"] = new JsonObject { ["name"] = action },
        ["resource"] = new JsonObject { ["type"] = "bucket", ["id"] = $"crn:v1:bluemix:public:cloud-object-storage:global:a/{account}:{instance}:bucket:logs" },
    };

    /// <summary>A token for an identity that has no API key yet (a service instance), signed with the server's real key.</summary>
    private async Task<string> SignedTokenAsync(string iamId, string accountId)
    {
        var key = (await app.Store.GetSigningKeysAsync(CancellationToken.None))[0];
        var rsa = RSA.Create();
        rsa.ImportPkcs8PrivateKey(key.PrivateKeyPkcs8, out _);
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = "https://iam.cloud.ibm.com/identity",
            Expires = DateTime.UtcNow.AddMinutes(10),
            SigningCredentials = new SigningCredentials(new RsaSecurityKey(rsa) { KeyId = key.KeyId }, SecurityAlgorithms.RsaSha256),
            Claims = new Dictionary<string, object>
            {
                ["iam_id"] = iamId,
                ["id"] = iamId,
                ["sub_type"] = "CRN",
                ["account"] = new Dictionary<string, object> { ["bss"] = accountId },
            },
        });
    }
}
