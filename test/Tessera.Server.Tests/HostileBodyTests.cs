using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace Tessera.Server.Tests;

/// <summary>
/// The bodies an attack found to reach a 500: text that is not UTF-8 or holds a lone surrogate, and wrong-typed paging
/// fields. Each is a 400 in IBM's envelope on every JSON endpoint, and writes nothing.
/// </summary>
public class HostileBodyTests(TesseraApp app) : IClassFixture<TesseraApp>
{
    public static TheoryData<string, string> JsonEndpoints => new()
    {
        { "POST", "/v1/policies" },
        { "POST", "/v1/serviceids" },
        { "POST", "/v1/apikeys" },
        { "POST", "/v2/accounts" },
        { "POST", "/v2/resource_groups" },
        { "POST", "/v2/resource_instances" },
        { "POST", "/v2/groups?account_id={account}" },
        { "POST", "/access/v1/evaluation" },
        { "POST", "/access/v1/evaluations" },
        { "POST", "/access/v1/search/subject" },
        { "POST", "/access/v1/search/resource" },
        { "POST", "/access/v1/search/action" },
    };

    [Theory]
    [MemberData(nameof(JsonEndpoints))]
    public async Task TextThatIsNotUtf8_OrALoneSurrogate_IsA400(string method, string pathTemplate)
    {
        var owner = await app.OperatorAsync();
        var path = pathTemplate.Replace("{account}", owner.AccountId, StringComparison.Ordinal);
        var revision = await app.Store.GetRevisionAsync(CancellationToken.None);

        foreach (var body in new byte[][]
        {
            [.. "{\"name\":\""u8, 0xff, .. "\"}"u8],
            Encoding.UTF8.GetBytes("""{"\ud800":1}"""),
            Encoding.UTF8.GetBytes("""{"name":"\udc00x"}"""),
            Encoding.UTF8.GetBytes("""{"name":"a\u0000b","account_id":"\u0000"}"""),
            [.. "{\"type\":\"authorization\",\"subjects\":[{\"attributes\":[{\"name\":\"accountId\",\"value\":\""u8, 0xc3, 0x28, .. "\"}]}]}"u8],
            Encoding.UTF8.GetBytes("""{"subject":{"type":"service","id":"crn:v1:bluemix:public:atracker:us-south:a/\ud800::::"},"action":{"name":"x"},"resource":{"type":"t","id":"y"}}"""),
        })
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), new Uri(path, UriKind.Relative))
            {
                Content = new ByteArrayContent(body) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } },
            };
            using var response = await owner.Client.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{method} {path} answered {(int)response.StatusCode}: {text}");
            Assert.Contains("invalid_body", text, StringComparison.Ordinal);
        }
        Assert.Equal(revision, await app.Store.GetRevisionAsync(CancellationToken.None));
    }

    [Theory]
    [InlineData("""{"limit":true}""", "page.limit")]
    [InlineData("""{"limit":"10"}""", "page.limit")]
    [InlineData("""{"token":5}""", "page.token must be a string")]
    [InlineData("""{"token":{}}""", "page.token must be a string")]
    [InlineData("""{"token":"%%%"}""", "page.token is not a token this server issued")]
    public async Task WrongTypedPagingFields_AreA400(string page, string expected)
    {
        var owner = await app.OperatorAsync();
        var body = $$"""
            {"resource":{"type":"bucket","id":"crn:v1:bluemix:public:cloud-object-storage:global:a/{{owner.AccountId}}:cos-1:bucket:b"},
             "action":{"name":"cloud-object-storage.object.put"},"page":{{page}}}
            """;

        var (status, error, _) = await owner.Client.SendAsync(HttpMethod.Post, "/access/v1/search/subject", body);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains(expected, Http.AssertIbmError(error, HttpStatusCode.BadRequest, "invalid_body"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/v2/resource_instances?account_id={account}&name=%00")]
    [InlineData("/v1/events?account_id=%00")]
    public async Task ANulInTheQuery_IsA400(string pathTemplate)
    {
        var owner = await app.OperatorAsync();

        var (status, error, _) = await owner.Client.SendAsync(HttpMethod.Get, pathTemplate.Replace("{account}", owner.AccountId, StringComparison.Ordinal));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("NUL", Http.AssertIbmError(error, HttpStatusCode.BadRequest, "invalid_query_parameter"), StringComparison.Ordinal);
    }
}
