using System.Net;
using System.Text;
using System.Text.Json.Nodes;

using Tessera.Server.Tests.Fuzzing;

namespace Tessera.Server.Tests;

/// <summary>Bad input of every shape gets a precise 4xx in IBM's envelope: never a 500, never a partial write.</summary>
public class RequestHygieneTests(TesseraApp app) : IClassFixture<TesseraApp>
{
    [Theory]
    [InlineData("{", "not valid JSON")]
    [InlineData("[]", "the request body must be a JSON object")]
    [InlineData("""{"type":"authorization"}""", "subjects is required")]
    [InlineData("""{"type":7,"subjects":[],"roles":[],"resources":[]}""", "type must be a string, not a number")]
    [InlineData("""{"type":"group","subjects":[],"roles":[],"resources":[]}""", "type must be 'authorization' or 'access'")]
    [InlineData("""{"type":"authorization","subjects":{},"roles":[],"resources":[]}""", "subjects must be an array, not an object")]
    [InlineData("""{"type":"authorization","subjects":[],"roles":[],"resources":[]}""", "subjects must have exactly 1 item, found 0")]
    [InlineData("""{"type":"authorization","subjects":[{"attributes":[{"name":"accountId","value":"a"}]}],"roles":[{"role_id":"r"}],"resources":[{"attributes":[{"name":"accountId","value":"a"}]}],"colour":"red"}""",
        "colour is not a known attribute")]
    [InlineData("""{"type":"authorization","subjects":[{"attributes":[{"name":"accountId","value":"a","extra":1}]}],"roles":[{"role_id":"r"}],"resources":[{"attributes":[{"name":"accountId","value":"a"}]}]}""",
        "subjects[0].attributes[0].extra is not a known attribute")]
    [InlineData("""{"type":"authorization","subjects":[{"attributes":[{"name":"accountId"}]}],"roles":[{"role_id":"r"}],"resources":[{"attributes":[{"name":"accountId","value":"a"}]}]}""",
        "subjects[0].attributes[0].value is required")]
    [InlineData("""{"type":"authorization","subjects":[{"attributes":[{"name":"accountId","value":"a"}]}],"roles":[{"role_id":5}],"resources":[{"attributes":[{"name":"accountId","value":"a"}]}]}""",
        "roles[0].role_id must be a string")]
    [InlineData("""{"type":"authorization","subjects":[{"attributes":[{"name":"accountId","value":"a","operator":"stringLike"}]}],"roles":[{"role_id":"r"}],"resources":[{"attributes":[{"name":"accountId","value":"a"}]}]}""",
        "operator must be 'stringEquals' or 'stringMatch'")]
    [InlineData("""{"type":"authorization","type":"access","subjects":[],"roles":[],"resources":[]}""", "'type' appears more than once")]
    [InlineData("""{"type":"authorization","subjects":[{"attributes":[{"name":"accountId","value":"a"}]}],"roles":[],"resources":[{"attributes":[{"name":"accountId","value":"a"}]}]}""",
        "roles must have 1 to 20 items, found 0")]
    public async Task Create_RejectsMalformedBodiesWithThePathOfTheProblem(string body, string expected)
    {
        var owner = await app.OperatorAsync();

        var (status, error, _) = await owner.Client.SendAsync(HttpMethod.Post, "/v1/policies", body);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains(expected, Http.AssertIbmError(error, HttpStatusCode.BadRequest, "invalid_body"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_RejectsMalformedCrnsAndOverlongValues()
    {
        var owner = await app.OperatorAsync();
        var malformed = Policies.Authorization([$"accountId={owner.AccountId}", "serviceName=atracker"], [Policies.ObjectWriter],
            [$"accountId={owner.AccountId}", "serviceName=cloud-object-storage", "serviceInstance=crn:v1:bluemix:public:cloud-object-storage"]);
        var overlong = Policies.AtrackerToCos(owner.AccountId, new string('x', 1001));

        var (crnStatus, crnError, _) = await owner.Client.SendAsync(HttpMethod.Post, "/v1/policies", malformed);
        var (longStatus, longError, _) = await owner.Client.SendAsync(HttpMethod.Post, "/v1/policies", overlong);

        Assert.Equal(HttpStatusCode.BadRequest, crnStatus);
        Assert.Contains("is not a CRN", Http.AssertIbmError(crnError, HttpStatusCode.BadRequest, "invalid_body"), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, longStatus);
        Assert.Contains("1 to 1000 characters", Http.AssertIbmError(longError, HttpStatusCode.BadRequest, "invalid_body"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_RejectsBodiesOverTheLimitWrongContentTypesAndEmptyBodies()
    {
        var owner = await app.OperatorAsync();
        var huge = Policies.AtrackerToCos(owner.AccountId);
        huge["description"] = new string('d', 70 * 1024);

        var (hugeStatus, hugeError, _) = await owner.Client.SendAsync(HttpMethod.Post, "/v1/policies", huge);
        using var textResponse = await owner.Client.PostAsync(new Uri("/v1/policies", UriKind.Relative), new StringContent("{}", Encoding.UTF8, "text/plain"));
        using var emptyResponse = await owner.Client.PostAsync(new Uri("/v1/policies", UriKind.Relative), new StringContent("", Encoding.UTF8, "application/json"));
        var deep = string.Concat(Enumerable.Repeat("[", 100)) + string.Concat(Enumerable.Repeat("]", 100));
        var (deepStatus, _, _) = await owner.Client.SendAsync(HttpMethod.Post, "/v1/policies", deep);

        Assert.Equal(HttpStatusCode.BadRequest, hugeStatus);
        Assert.Contains("larger than the limit of 65536 bytes", Http.AssertIbmError(hugeError, HttpStatusCode.BadRequest, "request_too_large"), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, textResponse.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, emptyResponse.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, deepStatus);
    }

    [Fact]
    public async Task RandomMutationsOfAValidBody_NeverGetA5xxNorWriteWhenRefused()
    {
        var owner = await app.OperatorAsync();
        var random = new Random(20261122);
        var template = Policies.AtrackerToCos(owner.AccountId, "fuzz");
        var before = await PolicyCountAsync(owner);
        var created = 0;

        for (var i = 0; i < 300; i++)
        {
            var body = (JsonObject)template.DeepClone();
            JsonMutations.Mutate(body, random);
            var (status, _, _) = await owner.Client.SendAsync(HttpMethod.Post, "/v1/policies", body.ToJsonString());
            Assert.True((int)status < 500, $"mutation {i} got {(int)status}: {body.ToJsonString()}");
            if (status == HttpStatusCode.Created)
                created++;
        }

        Assert.Equal(before + created, await PolicyCountAsync(owner));
    }

    public static TheoryData<string, string> ManagementWrites => new()
    {
        { "POST", "/v2/accounts" },
        { "POST", "/v2/accounts/{account}/users" },
        { "POST", "/v1/serviceids" },
        { "POST", "/v1/apikeys" },
        { "POST", "/v2/resource_groups" },
        { "PATCH", "/v2/resource_groups/{group}" },
        { "POST", "/v2/resource_instances" },
        { "POST", "/v2/groups?account_id={account}" },
    };

    [Theory]
    [MemberData(nameof(ManagementWrites))]
    public async Task ManagementWrites_AnswerMalformedBodiesWithA4xxInTheEnvelope_AndWriteNothing(string method, string pathTemplate)
    {
        var owner = await app.OperatorAsync();
        var group = (await owner.Client.SendAsync(HttpMethod.Get, $"/v2/resource_groups?account_id={owner.AccountId}")).Body
            .GetProperty("resources")[0].GetProperty("id").GetString()!;
        var path = pathTemplate.Replace("{account}", owner.AccountId, StringComparison.Ordinal).Replace("{group}", group, StringComparison.Ordinal);
        var revision = await app.Store.GetRevisionAsync(CancellationToken.None);

        foreach (var body in new[]
        {
            "not json", "[]", "42", "null", "{}", """{"name": 7}""", """{"name": ""}""", """{"name": {"nested": true}}""",
            """{"unexpected": "field"}""", $$"""{"name": "{{new string('n', 5000)}}", "account_id": "{{owner.AccountId}}"}""",
            """{"name": "x", "target": "US SOUTH!", "resource_group": "g", "resource_plan_id": "p"}""",
            """{"name": "x", "iam_id": "IBMid-nobody", "apikey": "chosen"}""", """{"email": "x", "members": 3}""",
        })
        {
            var (status, answer, _) = await owner.Client.SendAsync(new HttpMethod(method), path, body);
            Assert.True((int)status is >= 400 and < 500, $"{method} {path} with {body[..Math.Min(40, body.Length)]} answered {(int)status}");
            Assert.Equal((int)status, answer.GetProperty("status_code").GetInt32());
        }
        Assert.Equal(revision, await app.Store.GetRevisionAsync(CancellationToken.None));
    }

    [Fact]
    public async Task TransactionId_IsEchoedOrGenerated()
    {
        var owner = await app.OperatorAsync();

        var (_, _, echoed) = await owner.Client.SendAsync(HttpMethod.Get, $"/v1/policies?account_id={owner.AccountId}", null, ("Transaction-Id", "tf-42"));
        var (_, error, generated) = await owner.Client.SendAsync(HttpMethod.Get, "/v1/policies");

        Assert.Equal("tf-42", echoed.Headers.GetValues("Transaction-Id").Single());
        var id = generated.Headers.GetValues("Transaction-Id").Single();
        Assert.Matches("^[0-9a-f]{32}$", id);
        Assert.Equal(id, error.GetProperty("trace").GetString());
    }

    [Fact]
    public async Task TrailingSlash_ReachesTheSameEndpoint()
    {
        var owner = await app.OperatorAsync();

        var (status, _, _) = await owner.Client.SendAsync(HttpMethod.Get, $"/v1/policies/?account_id={owner.AccountId}");

        Assert.Equal(HttpStatusCode.OK, status);
    }

    [Fact]
    public async Task UnknownEndpointsAndMethods_AnswerInTheEnvelope()
    {
        var owner = await app.OperatorAsync();

        var (notFound, notFoundBody, _) = await owner.Client.SendAsync(HttpMethod.Get, "/v1/nothing-here");
        var (notAllowed, notAllowedBody, _) = await owner.Client.SendAsync(HttpMethod.Put, "/v1/policies", "{}");

        Assert.Equal(HttpStatusCode.NotFound, notFound);
        Http.AssertIbmError(notFoundBody, HttpStatusCode.NotFound, "not_found");
        Assert.Equal(HttpStatusCode.MethodNotAllowed, notAllowed);
        Http.AssertIbmError(notAllowedBody, HttpStatusCode.MethodNotAllowed, "method_not_allowed");
    }

    [Fact]
    public void TheSuite_RunsOverTheStoreItWasAskedFor() =>
        Assert.Equal(TesseraApp.OnPostgres ? "PostgresStore" : "SqliteStore", app.Store.GetType().Name);

    [Fact]
    public async Task Health_AnswersWithoutAToken()
    {
        using var client = app.CreateClient();

        Assert.Equal("ok", await client.GetStringAsync(new Uri("/healthz", UriKind.Relative)));
        using var readiness = System.Text.Json.JsonDocument.Parse(await client.GetStringAsync(new Uri("/readyz", UriKind.Relative)));
        Assert.Equal(("ready", "reachable", 0), (readiness.RootElement.GetProperty("status").GetString(), readiness.RootElement.GetProperty("store").GetString(),
            readiness.RootElement.GetProperty("behind").GetInt64()));
        Assert.Equal(await app.Store.GetRevisionAsync(CancellationToken.None), readiness.RootElement.GetProperty("revision").GetInt64());
    }

    private static async Task<int> PolicyCountAsync(Tenant owner)
    {
        var count = 0;
        foreach (var state in new[] { "active", "deleted" })
        {
            string? start = null;
            do
            {
                var (_, page, _) = await owner.Client.SendAsync(HttpMethod.Get,
                    $"/v1/policies?account_id={owner.AccountId}&state={state}&limit=100" + (start is null ? "" : $"&start={Uri.EscapeDataString(start)}"));
                count += page.GetProperty("policies").GetArrayLength();
                start = page.TryGetProperty("next", out var next) ? next.GetProperty("start").GetString() : null;
            }
            while (start is not null);
        }
        return count;
    }
}
