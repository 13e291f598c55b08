using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Tessera.Server.Tests.AuthZen;

/// <summary>
/// The request shapes of AuthZEN's interop applications (openid/authzen, interop/authzen-todo-backend and
/// authzen-api-gateways decision files): a user asking about users and todos by plain ids with an <c>ownerID</c> property,
/// batches of todos with a default subject and action, and an API gateway asking about routes with HTTP methods as
/// actions. Modeled with a catalog service <c>todo</c> whose policies constrain <c>ownerID</c>: an editor changes only
/// the todos it owns. (The interop suite compares the owner with the subject's email, across sides; Tessera's policies
/// name the value, so each editor's policy names its own address.)
/// </summary>
public class InteropShapesTests(CertificationApp app) : IClassFixture<CertificationApp>
{
    private const string Viewer = "crn:v1:bluemix:public:todo::::serviceRole:Viewer";
    private const string Editor = "crn:v1:bluemix:public:todo::::serviceRole:Editor";
    private const string Rick = "CiRmZDA2MTRkMy1jMzlhLTQ3ODEtYjdiZC04Yjk2ZjVhNTEwMGQSBWxvY2Fs";
    private const string Morty = "CiRmZDA2MTRkMy1jMzlhLTQ3ODEtYjdiZC04Yjk2ZjVhNTEwMGESBWxvY2Fs";

    [Fact]
    public async Task TodoShapes_SingleAndBatched_AnswerEachItemWithABoolean()
    {
        var client = await FixtureAsync();

        Assert.True(await DecideAsync(client, User(Rick), "can_read_user", """{"type":"user","id":"beth@the-smiths.com"}"""));
        Assert.True(await DecideAsync(client, User(Morty), "can_read_todos", """{"type":"todo","id":"todo-1"}"""));
        Assert.True(await DecideAsync(client, User(Morty), "can_update_todo",
            """{"type":"todo","id":"todo-2","properties":{"ownerID":"morty@the-citadel.com"}}"""));
        Assert.False(await DecideAsync(client, User(Morty), "can_update_todo",
            """{"type":"todo","id":"todo-3","properties":{"ownerID":"rick@the-citadel.com"}}"""));

        var (status, batch, _) = await client.SendAsync(HttpMethod.Post, "/access/v1/evaluations", JsonNode.Parse("""
            {"subject":{"type":"user","id":"RICK"},"action":{"name":"can_update_todo"},
             "evaluations":[{"resource":{"type":"todo","id":"a","properties":{"ownerID":"rick@the-citadel.com"}}},
                            {"resource":{"type":"todo","id":"b","properties":{"ownerID":"jerry@the-smiths.com"}}}]}
            """.Replace("RICK", Rick, StringComparison.Ordinal)));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal([true, true], batch.GetProperty("evaluations").EnumerateArray().Select(e => e.GetProperty("decision").GetBoolean()));
    }

    [Fact]
    public async Task GatewayShapes_RoutesAndHttpMethods_AreDecided()
    {
        var client = await FixtureAsync();

        Assert.True(await DecideAsync(client, Identity(Rick), "GET", """{"type":"route","id":"/todos"}"""));
        Assert.True(await DecideAsync(client, Identity(Rick), "DELETE", """{"type":"route","id":"/todos/{id}"}"""));
        Assert.True(await DecideAsync(client, Identity(Morty), "GET", """{"type":"route","id":"/users/{userId}"}"""));
        Assert.False(await DecideAsync(client, Identity(Morty), "DELETE", """{"type":"route","id":"/todos/{id}"}"""));
    }

    private static string User(string id) => $$"""{"type":"user","id":"{{id}}"}""";

    private static string Identity(string id) => $$"""{"type":"identity","id":"{{id}}"}""";

    private static async Task<bool> DecideAsync(HttpClient client, string subject, string action, string resource)
    {
        var (status, body, _) = await client.SendAsync(HttpMethod.Post, "/access/v1/evaluation",
            JsonNode.Parse($$"""{"subject":{{subject}},"action":{"name":"{{action}}"},"resource":{{resource}}}"""));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.True(body.GetProperty("decision").ValueKind is JsonValueKind.True or JsonValueKind.False);
        return body.GetProperty("decision").GetBoolean();
    }

    private async Task<HttpClient> FixtureAsync()
    {
        var owner = await app.OperatorAsync();
        var account = owner.AccountId;
        await app.LoadUsersAsync(account, Rick, Morty);
        JsonObject Grant(string user, string role, params object[] resource)
        {
            var body = Policies.V2Authorization([$"iam_id={user}"], [role], [$"accountId={account}", "serviceName=todo", .. resource]);
            body["type"] = "access";
            return body;
        }
        foreach (var policy in new[]
        {
            Grant(Rick, Viewer), Grant(Rick, Editor),
            Grant(Morty, Viewer), Grant(Morty, Editor, "ownerID=morty@the-citadel.com"),
        })
        {
            var (status, body, _) = await owner.Client.SendAsync(HttpMethod.Post, "/v2/policies", policy);
            Assert.True(status is HttpStatusCode.Created or HttpStatusCode.Conflict, body.ToString());
        }
        return owner.Client;
    }
}
