using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Tessera.Audit;
using Tessera.Model;
using Tessera.Storage;

namespace Tessera.Server.Tests.AuthZen;

/// <summary>A server whose catalog also has the certification fixture's service: records of type <c>record</c>.</summary>
public sealed class CertificationApp : TesseraApp
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("catalog", Path.Combine(AppContext.BaseDirectory, "AuthZen", "certification-catalog.json"));
    }

    /// <summary>Loads users with the given iam_ids into the store (a fixture's dataset); loading them again changes nothing.</summary>
    public async Task LoadUsersAsync(string account, params string[] iamIds)
    {
        foreach (var iamId in iamIds)
        {
            var loaded = await Store.CreateIdentityAsync(new Tessera.Model.Identity(iamId, account, IdentityKind.User, $"{iamId[..Math.Min(8, iamId.Length)]}@fixture.test", DateTimeOffset.UtcNow),
                new AuditEvent
                {
                    Id = Guid.NewGuid().ToString(), AccountId = account, Action = "user-management.user.create", EventTime = DateTimeOffset.UtcNow,
                    Initiator = new AuditInitiator("fixture", "fixture", "service/security/clientid", "token"),
                    Target = new AuditTarget(iamId, iamId, "user-management/user"), ReasonCode = 201, Message = "fixture user",
                }, CancellationToken.None);
            Assert.True(loaded.Status is WriteStatus.Ok or WriteStatus.Conflict, loaded.Status.ToString());
        }
    }
}

/// <summary>
/// The AuthZEN 1.0 certification scenario (openid/authzen, certification/authorization-api-1_0-scenario.md) against
/// Tessera with a policy set that models its fixture: users <c>alice</c> and <c>bob</c>, records <c>record-1</c> and
/// <c>record-2</c> of a catalog service <c>records</c>, access policies for rules 1–6 (an archived record is written only by
/// an admin: <c>status</c> and <c>role</c> are attributes the service defines). Requests are the scenario's, byte for byte
/// in their plain form (no CRNs): a resource named by type and id is the service's that declares the type, in the caller's
/// account. Rules 7–8 constrain <em>action</em> properties, which Tessera's policies cannot name (see docs/architecture.md).
/// </summary>
public class AuthZenCertificationTests(CertificationApp app) : IClassFixture<CertificationApp>
{
    private const string Reader = "crn:v1:bluemix:public:records::::serviceRole:Reader";
    private const string Writer = "crn:v1:bluemix:public:records::::serviceRole:Writer";

    public static TheoryData<string, string> Decisions => new()
    {
        // c-2-2-1, c-2-2-2 and the fixture's rules 1–4 (identifier fields only).
        { """{"subject":{"type":"user","id":"alice"},"action":{"name":"read"},"resource":{"type":"record","id":"record-1"}}""", "true" },
        { """{"subject":{"type":"user","id":"alice"},"action":{"name":"write"},"resource":{"type":"record","id":"record-1"}}""", "true" },
        { """{"subject":{"type":"user","id":"bob"},"action":{"name":"read"},"resource":{"type":"record","id":"record-1"}}""", "true" },
        { """{"subject":{"type":"user","id":"bob"},"action":{"name":"write"},"resource":{"type":"record","id":"record-1"}}""", "false" },
        // c-2-2-3: an optional context changes nothing.
        { """{"subject":{"type":"user","id":"alice"},"action":{"name":"read"},"resource":{"type":"record","id":"record-1"},"context":{"time":"2025-06-27T18:03-07:00","ip":"192.168.1.1"}}""", "true" },
        // c-2-2-4, c-2-2-5: rules 5 and 6 (properties).
        { """{"subject":{"type":"user","id":"alice"},"action":{"name":"write"},"resource":{"type":"record","id":"record-2","properties":{"status":"archived"}}}""", "false" },
        { """{"subject":{"type":"user","id":"bob","properties":{"role":"admin"}},"action":{"name":"write"},"resource":{"type":"record","id":"record-2","properties":{"status":"archived"}}}""", "true" },
        // c-2-2-8: additional properties are accepted; c-2-2-9: unknown fields are ignored.
        { """{"subject":{"type":"user","id":"alice","properties":{"department":"Sales","role":"manager"}},"action":{"name":"read","properties":{"method":"GET"}},"resource":{"type":"record","id":"record-1","properties":{"status":"active","owner":"bob"}}}""", "true" },
        { """{"subject":{"type":"user","id":"alice"},"action":{"name":"read"},"resource":{"type":"record","id":"record-1"},"foo":"bar","futureField":{"nested":true}}""", "true" },
    };

    [Theory]
    [MemberData(nameof(Decisions))]
    public async Task AccessEvaluation_AnswersTheFixture_WithADecisionAndOnlySpecFields(string request, string expected)
    {
        var client = await FixtureAsync();

        var (status, body, _) = await client.SendAsync(HttpMethod.Post, "/access/v1/evaluation", JsonNode.Parse(request));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(bool.Parse(expected), body.GetProperty("decision").GetBoolean());
        // c-2-3: decision is a boolean; context, when present, an object; nothing else.
        Assert.All(body.EnumerateObject(), p => Assert.Contains(p.Name, (string[])["decision", "context"]));
        if (body.TryGetProperty("context", out var context))
            Assert.Equal(JsonValueKind.Object, context.ValueKind);
    }

    [Theory]
    // c-2-4: a missing subject, action or resource is a 400.
    [InlineData("""{"action":{"name":"read"},"resource":{"type":"record","id":"record-1"}}""")]
    [InlineData("""{"subject":{"type":"user","id":"alice"},"resource":{"type":"record","id":"record-1"}}""")]
    [InlineData("""{"subject":{"type":"user","id":"alice"},"action":{"name":"read"}}""")]
    public async Task AccessEvaluation_WithoutARequiredField_Is400(string request)
    {
        var client = await FixtureAsync();

        var (status, _, _) = await client.SendAsync(HttpMethod.Post, "/access/v1/evaluation", JsonNode.Parse(request));

        Assert.Equal(HttpStatusCode.BadRequest, status);
    }

    [Fact]
    public async Task RequestIds_AreEchoed_AndRepeatingARequestGivesTheSameAnswer()
    {
        var client = await FixtureAsync();
        var request = JsonNode.Parse("""{"subject":{"type":"user","id":"alice"},"action":{"name":"read"},"resource":{"type":"record","id":"record-1"}}""");

        var (_, first, firstResponse) = await client.SendAsync(HttpMethod.Post, "/access/v1/evaluation", request, ("X-Request-ID", "cert-42"));
        var (_, second, secondResponse) = await client.SendAsync(HttpMethod.Post, "/access/v1/evaluations", new JsonObject { ["evaluations"] = new JsonArray(request!.DeepClone()) },
            ("X-Request-ID", "cert-43"));
        var (_, _, searchResponse) = await client.SendAsync(HttpMethod.Post, "/access/v1/search/action",
            JsonNode.Parse("""{"subject":{"type":"user","id":"alice"},"resource":{"type":"record","id":"record-1"}}"""), ("X-Request-ID", "cert-44"));

        Assert.Equal("cert-42", firstResponse.Headers.GetValues("X-Request-ID").Single());
        Assert.Equal("cert-43", secondResponse.Headers.GetValues("X-Request-ID").Single());
        Assert.Equal("cert-44", searchResponse.Headers.GetValues("X-Request-ID").Single());
        Assert.Equal(first.GetProperty("decision").GetBoolean(), second.GetProperty("evaluations")[0].GetProperty("decision").GetBoolean());
    }

    [Fact]
    public async Task AccessEvaluations_WithDefaultsMerged_AndWithoutOrWithEmptyEvaluations_AnswerAsOne()
    {
        var client = await FixtureAsync();

        // c-3: one subject as the default, per-item actions and resources, answered in order.
        var (status, batch, _) = await client.SendAsync(HttpMethod.Post, "/access/v1/evaluations", JsonNode.Parse("""
            {"subject":{"type":"user","id":"bob"},
             "evaluations":[
               {"action":{"name":"read"},"resource":{"type":"record","id":"record-1"}},
               {"action":{"name":"write"},"resource":{"type":"record","id":"record-1"}},
               {"subject":{"type":"user","id":"bob","properties":{"role":"admin"}},"action":{"name":"write"},"resource":{"type":"record","id":"record-2","properties":{"status":"archived"}}}]}
            """));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal([true, false, true], batch.GetProperty("evaluations").EnumerateArray().Select(e => e.GetProperty("decision").GetBoolean()));

        foreach (var single in new[]
        {
            """{"subject":{"type":"user","id":"alice"},"action":{"name":"read"},"resource":{"type":"record","id":"record-1"}}""",
            """{"subject":{"type":"user","id":"alice"},"action":{"name":"read"},"resource":{"type":"record","id":"record-1"},"evaluations":[]}""",
        })
        {
            var (singleStatus, answer, _) = await client.SendAsync(HttpMethod.Post, "/access/v1/evaluations", JsonNode.Parse(single));
            Assert.Equal(HttpStatusCode.OK, singleStatus);
            Assert.True(answer.GetProperty("decision").GetBoolean());
            Assert.False(answer.TryGetProperty("evaluations", out _));
        }
    }

    [Fact]
    public async Task Searches_FindTheFixturesSubjectsResourcesAndActions()
    {
        var client = await FixtureAsync();

        // S1: users who may read record-1 include alice and bob.
        var (subjectStatus, subjects, _) = await client.SendAsync(HttpMethod.Post, "/access/v1/search/subject",
            JsonNode.Parse("""{"subject":{"type":"user"},"action":{"name":"read"},"resource":{"type":"record","id":"record-1"}}"""));
        Assert.Equal(HttpStatusCode.OK, subjectStatus);
        var found = subjects.GetProperty("results").EnumerateArray().ToList();
        Assert.Contains("alice", found.Select(s => s.GetProperty("id").GetString()));
        Assert.Contains("bob", found.Select(s => s.GetProperty("id").GetString()));
        Assert.All(found, s => Assert.Equal("user", s.GetProperty("type").GetString()));

        // S3: alice's actions on record-1 include read and write.
        var (_, actions, _) = await client.SendAsync(HttpMethod.Post, "/access/v1/search/action",
            JsonNode.Parse("""{"subject":{"type":"user","id":"alice"},"resource":{"type":"record","id":"record-1"}}"""));
        var names = actions.GetProperty("results").EnumerateArray().Select(a => a.GetProperty("name").GetString()).ToList();
        Assert.Contains("read", names);
        Assert.Contains("write", names);

        // S2: alice may read resources of type record (her policies name the whole service).
        var (resourceStatus, resources, _) = await client.SendAsync(HttpMethod.Post, "/access/v1/search/resource",
            JsonNode.Parse("""{"subject":{"type":"user","id":"alice"},"action":{"name":"read"},"resource":{"type":"record"}}"""));
        Assert.Equal(HttpStatusCode.OK, resourceStatus);
        Assert.NotEmpty(resources.GetProperty("results").EnumerateArray());
    }

    [Fact]
    public async Task OnlyThePlainForm_IsInTheCallersAccount_NotACrnThatNamesNoAccount()
    {
        var client = await FixtureAsync();

        var (status, body, _) = await client.SendAsync(HttpMethod.Post, "/access/v1/evaluation", JsonNode.Parse(
            """{"subject":{"type":"user","id":"alice"},"action":{"name":"read"},"resource":{"type":"record","id":"crn:v1:bluemix:public:records:global:::record:record-1"}}"""));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.False(body.GetProperty("decision").GetBoolean());
    }

    [Fact]
    public async Task Discovery_NamesTheEndpoints()
    {
        using var anonymous = app.CreateClient();

        var (status, metadata, _) = await anonymous.SendAsync(HttpMethod.Get, "/.well-known/authzen-configuration");

        Assert.Equal(HttpStatusCode.OK, status);
        foreach (var endpoint in new[] { "access_evaluation_endpoint", "access_evaluations_endpoint", "search_subject_endpoint", "search_resource_endpoint", "search_action_endpoint" })
            Assert.StartsWith("http", metadata.GetProperty(endpoint).GetString(), StringComparison.Ordinal);
    }

    /// <summary>The operator account holds the fixture's policies; its owner asks (a resource without an account is the caller's).</summary>
    private async Task<HttpClient> FixtureAsync()
    {
        var owner = await app.OperatorAsync();
        var account = owner.AccountId;
        // The fixture's users, loaded into the store as its dataset: Tessera names a user by its iam_id, here the scenario's.
        await app.LoadUsersAsync(account, "alice", "bob");
        JsonObject Grant(object[] subject, string role, params object[] resource)
        {
            var body = Policies.V2Authorization(subject, [role], [$"accountId={account}", "serviceName=records", .. resource]);
            body["type"] = "access";
            return body;
        }
        var fixture = new[]
        {
            Grant(["iam_id=alice"], Reader),
            Grant(["iam_id=bob"], Reader),
            // Alice writes records that are not archived: the fixture's record-1 carries no status, an active one says so.
            Grant(["iam_id=alice"], Writer, Policies.V2Attribute("status", "stringExists", false)),
            Grant(["iam_id=alice"], Writer, "status=active"),
            // Bob writes archived records as an admin (rule 6): role is a subject attribute the records service defines.
            Grant(["iam_id=bob", "role=admin"], Writer, "status=archived"),
        };
        foreach (var policy in fixture)
        {
            var (status, body, _) = await owner.Client.SendAsync(HttpMethod.Post, "/v2/policies", policy);
            Assert.True(status is HttpStatusCode.Created or HttpStatusCode.Conflict, body.ToString());
        }
        return owner.Client;
    }
}
