using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Tessera.Tests;
using Xunit.Abstractions;

namespace Tessera.Server.Tests.Fuzzing;

/// <summary>
/// An attack in the suite: more than 100,000 generated and mutated requests over every route, through a real server
/// process and its real HTTP stack (Kestrel, sockets), on the suite's store. No answer may be a 5xx or take longer than
/// the client's timeout; the server must be healthy after; nothing it holds may have changed (every request here is
/// refused); and its log may hold no stack trace.
/// </summary>
[Trait("Category", "Fuzz")]
[Collection(RunsAlone.Name)]
public sealed class FuzzTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int HttpRequests = 100_000;
    private const int RawRequests = 5_000;
    private const int Workers = 8;
    private const int VersionNotSupported = 1505;
    private const string OwnerKey = "fuzz-operator-key-0123456789abcdefghijklmnopq";

    private TesseraNode _node = null!;
    private PostgresTestDatabase? _database;
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "tessera-fuzz-" + Guid.NewGuid().ToString("N"));

    public async Task InitializeAsync()
    {
        List<string> arguments = ["--data-dir", _directory, "--consistency-wait-ms", "1000"];
        if (TesseraApp.OnPostgres)
        {
            _database = await PostgresTestDatabase.CreateAsync();
            arguments.AddRange(["--postgres", _database.ConnectionString]);
        }
        // No rate limits here: the point is to reach every handler, not the 429 in front of them (RateLimitTests covers that).
        _node = await TesseraNode.StartAsync(new Dictionary<string, string> { ["TESSERA_BOOTSTRAP_APIKEY"] = OwnerKey, ["RateLimits__Enabled"] = "false" },
            [.. arguments]);
    }

    public async Task DisposeAsync()
    {
        await _node.DisposeAsync();
        if (_database is not null)
            await _database.DisposeAsync();
        if (Directory.Exists(_directory))
            Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task HundredThousandHostileRequests_GetNo5xxChangeNothingAndLeaveTheServerHealthy()
    {
        var target = await SetUpAsync();
        var before = await SnapshotAsync(target);
        var failures = new ConcurrentQueue<string>();
        var statuses = new ConcurrentDictionary<int, int>();
        // Header values go out as UTF-8 bytes, non-ASCII included: a client library would refuse to send them, an attacker does not.
        using var client = new HttpClient(new SocketsHttpHandler
        {
            MaxConnectionsPerServer = Workers,
            AllowAutoRedirect = false,
            RequestHeaderEncodingSelector = (_, _) => Encoding.UTF8,
        })
        {
            BaseAddress = _node.Url,
            Timeout = TimeSpan.FromSeconds(15),
        };

        await Parallel.ForAsync(0, Workers, async (worker, _) =>
        {
            var fuzzer = new RequestFuzzer(target, new Random(20261201 + worker));
            for (var i = 0; i < HttpRequests / Workers && failures.Count < 20; i++)
            {
                var request = fuzzer.Next();
                var status = await SendAsync(client, request, failures);
                statuses.AddOrUpdate(status, 1, (_, n) => n + 1);
                if (status is >= 500 and < 600)
                    failures.Enqueue($"{status} for {request}");
            }
        });
        await Parallel.ForAsync(0, Workers, async (worker, _) =>
        {
            var random = new Random(31 + worker);
            for (var i = 0; i < RawRequests / Workers && failures.Count < 20; i++)
            {
                var request = Fuzzing.RawRequests.Next(target, random);
                var status = await SendRawAsync(request, failures);
                // The one 5xx that is right: Kestrel's 505 to a request line naming an HTTP version that does not exist
                // (RFC 9110 §15.6.6), answered before any of Tessera's code runs. Counted apart.
                if (status == 505 && Encoding.Latin1.GetString(request).StartsWith("GET / HTTP/9.9", StringComparison.Ordinal))
                    status = VersionNotSupported;
                statuses.AddOrUpdate(status, 1, (_, n) => n + 1);
                if (status is >= 500 and < 600)
                    failures.Enqueue($"{status} for raw {Encoding.Latin1.GetString(request)[..Math.Min(300, request.Length)]}");
            }
        });

        var distribution = string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}: {s.Value}"));
        output.WriteLine($"{statuses.Values.Sum()} requests answered; by status (0 = connection closed, 1505 = 505 to HTTP/9.9): {distribution}");
        output.WriteLine(string.Join("\n", Closed.Select(c => $"{c.Value}: {c.Key}")));
        Assert.True(failures.IsEmpty, string.Join("\n", failures.Take(20)));
        Assert.Equal(HttpRequests + RawRequests, statuses.Values.Sum());
        Assert.True(statuses.Keys.All(s => s is 0 or VersionNotSupported or (>= 200 and < 500)), distribution);
        Assert.Equal("ok", await client.GetStringAsync(new Uri("/healthz", UriKind.Relative)));
        Assert.Equal(before, await SnapshotAsync(target));
        Assert.DoesNotContain("   at ", _node.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("fail:", _node.Output, StringComparison.Ordinal);
    }

    /// <summary>The response's status; 0 when the server closed the connection without one (allowed for broken framing).</summary>
    private static async Task<int> SendAsync(HttpClient client, FuzzRequest fuzz, ConcurrentQueue<string> failures)
    {
        // Absolute, so that a path beginning "//" stays a path and does not name a host.
        using var request = new HttpRequestMessage(new HttpMethod(fuzz.Method), new Uri(client.BaseAddress!.GetLeftPart(UriPartial.Authority) + fuzz.PathAndQuery));
        foreach (var (name, value) in fuzz.Headers)
            request.Headers.TryAddWithoutValidation(name, value);
        if (fuzz.Body is not null)
        {
            request.Content = fuzz.Chunked ? new StreamContent(new NonSeekableStream(fuzz.Body)) : new ByteArrayContent(fuzz.Body);
            if (fuzz.ContentType is { Length: > 0 })
                request.Content.Headers.TryAddWithoutValidation("Content-Type", fuzz.ContentType);
        }
        try
        {
            using var response = await client.SendAsync(request);
            await response.Content.ReadAsByteArrayAsync();
            return (int)response.StatusCode;
        }
        catch (TaskCanceledException)
        {
            failures.Enqueue($"no answer within the timeout for {fuzz}");
            return -1;
        }
        catch (HttpRequestException ex)
        {
            Closed.AddOrUpdate((ex.InnerException ?? ex).Message[..Math.Min(80, (ex.InnerException ?? ex).Message.Length)], 1, (_, n) => n + 1);
            return 0;
        }
    }

    private static readonly ConcurrentDictionary<string, int> Closed = new();

    private async Task<int> SendRawAsync(byte[] request, ConcurrentQueue<string> failures)
    {
        using var socket = new TcpClient();
        try
        {
            await socket.ConnectAsync(_node.Url.Host, _node.Url.Port);
        }
        catch (SocketException ex)
        {
            failures.Enqueue($"the server no longer accepts connections ({ex.SocketErrorCode}); its last output:\n{_node.Output[^Math.Min(4000, _node.Output.Length)..]}");
            return -1;
        }
        var stream = socket.GetStream();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        try
        {
            await stream.WriteAsync(request, timeout.Token);
            socket.Client.Shutdown(SocketShutdown.Send);
            var buffer = new byte[64 * 1024];
            var read = 0;
            int n;
            while ((n = await stream.ReadAsync(buffer.AsMemory(read), timeout.Token)) > 0 && read < 12)
                read += n;
            var head = Encoding.ASCII.GetString(buffer, 0, read);
            return head.StartsWith("HTTP/1.1 ", StringComparison.Ordinal) && int.TryParse(head.AsSpan(9, 3), out var status) ? status : 0;
        }
        catch (OperationCanceledException)
        {
            failures.Enqueue($"no answer within the timeout for raw {Encoding.Latin1.GetString(request)[..Math.Min(200, request.Length)]}");
            return -1;
        }
        catch (IOException)
        {
            return 0;
        }
    }

    /// <summary>The owner's view of everything the fuzzer could touch, and the store's revision.</summary>
    private async Task<string> SnapshotAsync(FuzzTarget target)
    {
        using var client = await _node.ClientAsync(OwnerKey);
        var a = target.AccountId;
        var parts = new List<string>();
        foreach (var path in new[]
        {
            $"/v1/policies?account_id={a}&state=active&limit=100", $"/v1/policies?account_id={a}&state=deleted&limit=100",
            $"/v1/serviceids?account_id={a}", $"/v1/apikeys?account_id={a}", $"/v2/resource_groups?account_id={a}",
            $"/v2/resource_instances?account_id={a}", $"/v2/groups?account_id={a}", $"/v2/groups/{target.AccessGroupId}/members",
            $"/v2/accounts/{a}/users",
        })
        {
            parts.Add(await client.GetStringAsync(new Uri(path, UriKind.Relative)));
        }
        using var ready = JsonDocument.Parse(await client.GetStringAsync(new Uri("/readyz", UriKind.Relative)));
        parts.Add("revision " + ready.RootElement.GetProperty("revision").GetInt64());
        return string.Join("\n", parts);
    }

    /// <summary>Real objects for the requests to name, and an identity that holds no rights at all.</summary>
    private async Task<FuzzTarget> SetUpAsync()
    {
        using var owner = await _node.ClientAsync(OwnerKey);
        var groups = await owner.GetFromJsonAsync<JsonElement>(new Uri("/v2/resource_groups", UriKind.Relative));
        var account = groups.GetProperty("resources")[0].GetProperty("account_id").GetString()!;
        var resourceGroup = groups.GetProperty("resources")[0].GetProperty("id").GetString()!;

        async Task<JsonElement> PostAsync(string path, string body)
        {
            using var response = await owner.PostAsync(new Uri(path, UriKind.Relative), new StringContent(body, Encoding.UTF8, "application/json"));
            Assert.True(response.IsSuccessStatusCode, $"{path}: {await response.Content.ReadAsStringAsync()}");
            return await response.Content.ReadFromJsonAsync<JsonElement>();
        }
        var instance = await PostAsync("/v2/resource_instances",
            $$"""{"name":"cos-fuzz","target":"global","resource_group":"{{resourceGroup}}","resource_plan_id":"744bfc56-d12c-4866-88d5-dac9139e0e5d"}""");
        var serviceId = await PostAsync("/v1/serviceids", $$"""{"account_id":"{{account}}","name":"fuzz-target"}""");
        var nobody = await PostAsync("/v1/serviceids", $$"""{"account_id":"{{account}}","name":"nobody"}""");
        var nobodyKey = await PostAsync("/v1/apikeys", $$"""{"name":"nobody","iam_id":"{{nobody.GetProperty("iam_id").GetString()}}","account_id":"{{account}}"}""");
        var apiKey = await PostAsync("/v1/apikeys", $$"""{"name":"k","iam_id":"{{serviceId.GetProperty("iam_id").GetString()}}","account_id":"{{account}}"}""");
        var guid = instance.GetProperty("guid").GetString()!;
        var policy = await PostAsync("/v1/policies", $$"""
            {"type":"authorization","subjects":[{"attributes":[{"name":"accountId","value":"{{account}}"},{"name":"serviceName","value":"atracker"}]}],
             "roles":[{"role_id":"crn:v1:bluemix:public:cloud-object-storage::::serviceRole:ObjectWriter"}],
             "resources":[{"attributes":[{"name":"accountId","value":"{{account}}"},{"name":"serviceName","value":"cloud-object-storage"},{"name":"serviceInstance","value":"{{guid}}"}]}]}
            """);
        var accessGroup = await PostAsync($"/v2/groups?account_id={account}", """{"name":"fuzzers"}""");
        using var nobodyClient = await _node.ClientAsync(nobodyKey.GetProperty("apikey").GetString()!);
        using var ready = JsonDocument.Parse(await owner.GetStringAsync(new Uri("/readyz", UriKind.Relative)));
        return new FuzzTarget(account, owner.DefaultRequestHeaders.Authorization!.Parameter!, nobodyClient.DefaultRequestHeaders.Authorization!.Parameter!,
            serviceId.GetProperty("iam_id").GetString()!, apiKey.GetProperty("id").GetString()!, policy.GetProperty("id").GetString()!, guid,
            instance.GetProperty("crn").GetString()!, resourceGroup, accessGroup.GetProperty("id").GetString()!, ready.RootElement.GetProperty("revision").GetInt64());
    }

    /// <summary>A body of unknown length, so that the client sends it chunked.</summary>
    private sealed class NonSeekableStream(byte[] body) : MemoryStream(body)
    {
        public override bool CanSeek => false;
    }
}
