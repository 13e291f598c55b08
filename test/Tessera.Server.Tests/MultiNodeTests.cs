using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Tessera.Tests;

namespace Tessera.Server.Tests;

/// <summary>
/// Several Tessera processes over one real PostgreSQL on loopback (R9, SPEC §5): writes on one node are decided on the
/// other — at once with the consistency token, soon without; concurrent writers on different nodes lose no update and
/// create no duplicate; a database outage leaves decisions answered and writes refused cleanly; a killed node loses no
/// acknowledged write.
/// </summary>
[Trait("Category", "MultiNode")]
[Collection(RunsAlone.Name)]
public sealed class MultiNodeTests
{
    private const string OperatorKey = "multi-node-operator-key-0123456789abcdefghij";

    [Fact]
    public async Task AWriteOnOneNode_IsDecidedOnTheOther_AtOnceWithItsToken_AndSoonWithout()
    {
        await using var database = await PostgresTestDatabase.CreateAsync();
        await using var nodes = await TwoNodes.StartAsync(database.ConnectionString);
        var (onA, onB, account, source, target) = (nodes.OnA, nodes.OnB, nodes.Account, nodes.Source, nodes.Target);

        var (created, policy, response) = await onA.SendAsync(HttpMethod.Post, "/v1/policies", Authorization(account, source, target));
        Assert.Equal(HttpStatusCode.Created, created);
        var token = response.Headers.GetValues("Consistency-Token").Single();

        // With the token, the other node answers only once it has the write: the first answer is already right.
        Assert.True(await DecideAsync(onB, account, source, target, ("Consistency-Token", token)));
        Assert.True(await DecideAsync(onB, account, source, target, null, token));
        var (deleted, _, deleteResponse) = await onA.SendAsync(HttpMethod.Delete, $"/v1/policies/{policy.GetProperty("id").GetString()}");
        Assert.Equal(HttpStatusCode.NoContent, deleted);
        Assert.False(await DecideAsync(onB, account, source, target, ("Consistency-Token", deleteResponse.Headers.GetValues("Consistency-Token").Single())));

        // Without it, the other node follows the change log by itself.
        await onA.SendAsync(HttpMethod.Post, "/v1/policies", Authorization(account, source, target));
        Assert.True(await EventuallyAsync(() => DecideAsync(onB, account, source, target)));
        Assert.Single(await onB.EventsAsync(account, "&action=iam-identity.account.create"));
        var readiness = (await onB.SendAsync(HttpMethod.Get, "/readyz")).Body;
        Assert.Equal(("ready", 0L), (readiness.GetProperty("status").GetString(), readiness.GetProperty("behind").GetInt64()));

        // A token beyond every write is refused at once (no node will reach it by waiting); so is a made-up one.
        var (future, futureBody, _) = await onB.SendAsync(HttpMethod.Get, $"/v1/policies?account_id={account}", null, ("Consistency-Token", "ct1.999999"));
        Http.AssertIbmError(futureBody, HttpStatusCode.BadRequest, "invalid_consistency_token");
        Assert.Equal(HttpStatusCode.BadRequest, future);
        Assert.Equal(HttpStatusCode.BadRequest, (await onB.SendAsync(HttpMethod.Get, "/readyz", null, ("Consistency-Token", "42"))).Status);
    }

    [Fact]
    public async Task WritersOnTwoNodes_LoseNoUpdate_CreateNoDuplicate_AndRecordEachChangeOnce()
    {
        await using var database = await PostgresTestDatabase.CreateAsync();
        await using var nodes = await TwoNodes.StartAsync(database.ConnectionString);
        var (onA, onB, account, source, target) = (nodes.OnA, nodes.OnB, nodes.Account, nodes.Source, nodes.Target);
        var before = (await onA.EventsAsync(account)).Count;

        // The same authorization from both nodes at once: exactly one is created.
        var creates = await Task.WhenAll(Enumerable.Range(0, 16).Select(i =>
            (i % 2 == 0 ? onA : onB).SendAsync(HttpMethod.Post, "/v1/policies", Authorization(account, source, target))));
        var winner = Assert.Single(creates, c => c.Status == HttpStatusCode.Created);
        Assert.All(creates.Where(c => c.Status != HttpStatusCode.Created), c => Assert.Equal(HttpStatusCode.Conflict, c.Status));

        // Two replaces of the same version from both nodes: one wins, the other is told its ETag is stale.
        var id = winner.Body.GetProperty("id").GetString();
        var etag = winner.Response.ETag();
        var replaces = await Task.WhenAll(new[] { onA, onB }.Select((client, i) =>
            client.SendAsync(HttpMethod.Put, $"/v1/policies/{id}", Authorization(account, source, target, $"replaced by node {i}"), ("If-Match", etag))));
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.PreconditionFailed], replaces.Select(r => r.Status).Order());

        var events = (await onB.EventsAsync(account)).Skip(before).ToList();
        Assert.Equal(["iam-am.policy.create", "iam-am.policy.update"], events.Select(e => e.GetProperty("action").GetString()));
    }

    [Fact]
    public async Task WhenPostgresStops_NodesKeepDeciding_RefuseWrites_AndCatchUpWhenItReturns()
    {
        await using var cluster = await PostgresCluster.StartAsync();
        await using var nodes = await TwoNodes.StartAsync(cluster.ConnectionString);
        var (onA, onB, account, source, target) = (nodes.OnA, nodes.OnB, nodes.Account, nodes.Source, nodes.Target);
        var other = await CreateInstanceAsync(onA, account, "kms");
        var (_, _, granted) = await onA.SendAsync(HttpMethod.Post, "/v1/policies", Authorization(account, source, target));
        Assert.True(await DecideAsync(onB, account, source, target, ("Consistency-Token", granted.Headers.GetValues("Consistency-Token").Single())));

        await cluster.StopAsync();

        for (var i = 0; i < 20; i++)
            Assert.True(await DecideAsync(onB, account, source, target));
        var (refused, refusedBody, _) = await onA.SendAsync(HttpMethod.Post, "/v1/policies", Authorization(account, source, other));
        Http.AssertIbmError(refusedBody, HttpStatusCode.ServiceUnavailable, "service_unavailable");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused);
        var degraded = (await onA.SendAsync(HttpMethod.Get, "/readyz")).Body;
        Assert.Equal(("degraded", "unreachable"), (degraded.GetProperty("status").GetString(), degraded.GetProperty("store").GetString()));
        // A bad token is still a 401 (its refusal cannot be recorded just now), not a 503.
        using var stranger = new HttpClient { BaseAddress = onB.BaseAddress };
        stranger.DefaultRequestHeaders.Authorization = new("Bearer", "not.a.token");
        Assert.Equal(HttpStatusCode.Unauthorized, (await stranger.SendAsync(HttpMethod.Post, "/access/v1/evaluation", new { })).Status);

        await cluster.StartAgainAsync();

        (HttpStatusCode Status, JsonElement Body, HttpResponseMessage Response) retried = default;
        Assert.True(await EventuallyAsync(async () =>
            (retried = await onA.SendAsync(HttpMethod.Post, "/v1/policies", Authorization(account, source, other))).Status == HttpStatusCode.Created));
        Assert.True(await DecideAsync(onB, account, source, other, ("Consistency-Token", retried.Response!.Headers.GetValues("Consistency-Token").Single())));
        Assert.True(await DecideAsync(onB, account, source, target));
        // Nothing of the refused write was kept: the trail has one create per authorization that exists.
        Assert.Equal(2, (await onB.EventsAsync(account, "&action=iam-am.policy.create")).Count);
    }

    [Fact]
    public async Task DeletingAnApiKeyOnOneNode_EndsItsTokensOnTheOther_AndARotationReachesIt()
    {
        await using var database = await PostgresTestDatabase.CreateAsync();
        await using var nodes = await TwoNodes.StartAsync(database.ConnectionString);
        var (onA, onB, account) = (nodes.OnA, nodes.OnB, nodes.Account);
        var (_, serviceId, _) = await onA.SendAsync(HttpMethod.Post, "/v1/serviceids", new { account_id = account, name = "short-lived" });
        var iamId = serviceId.GetProperty("iam_id").GetString();
        var keys = new List<(string Id, HttpClient OnB)>();
        foreach (var _ in new[] { 1, 2 })
        {
            var (_, key, _) = await onA.SendAsync(HttpMethod.Post, "/v1/apikeys", new { name = "k", iam_id = iamId, account_id = account });
            keys.Add((key.GetProperty("id").GetString()!, await nodes.B.ClientAsync(key.GetProperty("apikey").GetString()!)));
        }
        var list = $"/v2/resource_groups?account_id={account}";
        foreach (var (_, client) in keys)
            Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(HttpMethod.Get, list)).Status);

        // Deleted on A: B refuses the token at once with the delete's consistency token, and by itself within moments.
        var (_, _, first) = await onA.SendAsync(HttpMethod.Delete, $"/v1/apikeys/{keys[0].Id}");
        var (withToken, _, _) = await keys[0].OnB.SendAsync(HttpMethod.Get, list, null, ("Consistency-Token", first.Headers.GetValues("Consistency-Token").Single()));
        Assert.Equal(HttpStatusCode.Unauthorized, withToken);
        await onA.SendAsync(HttpMethod.Delete, $"/v1/apikeys/{keys[1].Id}");
        Assert.True(await EventuallyAsync(async () => (await keys[1].OnB.SendAsync(HttpMethod.Get, list)).Status == HttpStatusCode.Unauthorized));

        // A rotation on A: B signs new tokens with the new key and still accepts the old ones.
        var (_, rotated, _) = await onA.SendAsync(HttpMethod.Post, "/identity/keys");
        var kid = rotated.GetProperty("kid").GetString();
        Assert.True(await EventuallyAsync(async () =>
        {
            using var fresh = await nodes.B.ClientAsync(OperatorKey);
            return new Microsoft.IdentityModel.JsonWebTokens.JsonWebToken(fresh.DefaultRequestHeaders.Authorization!.Parameter).Kid == kid;
        }));
        Assert.Equal(HttpStatusCode.OK, (await onB.SendAsync(HttpMethod.Get, list)).Status);
        Assert.Equal(HttpStatusCode.OK, (await onA.SendAsync(HttpMethod.Get, list)).Status);
        var published = (await onB.SendAsync(HttpMethod.Get, "/identity/keys")).Body.GetProperty("keys").GetArrayLength();
        Assert.Equal(2, published);
        foreach (var (_, client) in keys)
            client.Dispose();
    }

    [Fact]
    public async Task PgDumpWhileRunning_RestoredIntoAnEmptyDatabase_ServesWhatTheDumpHeld_AndAKeyCanBeRecoveredOffline()
    {
        await using var original = await PostgresTestDatabase.CreateAsync();
        await using var restored = await PostgresTestDatabase.CreateAsync();
        var dump = Path.Combine(Path.GetTempPath(), $"tessera-{Guid.NewGuid():N}.dump");
        try
        {
            await using (var node = await StartNodeAsync(original.ConnectionString))
            {
                using var client = await node.ClientAsync(OperatorKey);
                var account = await AccountAsync(client);
                await client.SendAsync(HttpMethod.Post, "/v1/serviceids", new { account_id = account, name = "kept-by-the-dump" });
                await PgAsync("pg_dump", original.ConnectionString, "-Fc", "-f", dump);
                await client.SendAsync(HttpMethod.Post, "/v1/serviceids", new { account_id = account, name = "made-after-the-dump" });
            }

            await PgAsync("pg_restore", restored.ConnectionString, "--no-owner", dump);
            var recovered = await RecoverKeyAsync(restored.ConnectionString);

            await using var again = await StartNodeAsync(restored.ConnectionString);
            using var owner = await again.ClientAsync(recovered);
            var names = (await owner.SendAsync(HttpMethod.Get, $"/v1/serviceids?account_id={await AccountAsync(owner)}")).Body.ToString();
            Assert.Contains("kept-by-the-dump", names, StringComparison.Ordinal);
            Assert.DoesNotContain("made-after-the-dump", names, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(dump);
        }
    }

    /// <summary>Runs a PostgreSQL client tool against the database of <paramref name="connectionString"/>.</summary>
    private static async Task PgAsync(string tool, string connectionString, params string[] arguments)
    {
        var target = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
        var start = new System.Diagnostics.ProcessStartInfo(tool) { RedirectStandardError = true };
        foreach (var argument in (string[])["-h", target.Host!, "-p", target.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                     "-U", target.Username!, "-d", target.Database!, .. arguments])
            start.ArgumentList.Add(argument);
        using var process = System.Diagnostics.Process.Start(start)!;
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"{tool}: {error}");
    }

    /// <summary>Tessera.Server recover-operator-key against the database; returns the key it printed.</summary>
    private static async Task<string> RecoverKeyAsync(string connectionString)
    {
        var start = new System.Diagnostics.ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { Path.Combine(AppContext.BaseDirectory, "Tessera.Server.dll"), "recover-operator-key", "--postgres", connectionString })
            start.ArgumentList.Add(argument);
        using var process = System.Diagnostics.Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, output + await process.StandardError.ReadToEndAsync());
        return output.Split('\n', StringSplitOptions.TrimEntries)[1];
    }

    [Fact]
    public async Task KillingANodeDuringWrites_LosesNoAcknowledgedWrite()
    {
        await using var database = await PostgresTestDatabase.CreateAsync();
        var a = await StartNodeAsync(database.ConnectionString);
        using var onA = await a.ClientAsync(OperatorKey);
        var account = await AccountAsync(onA);
        var target = await CreateInstanceAsync(onA, account, "kms");
        var acknowledged = new ConcurrentBag<string>();

        using var stop = new CancellationTokenSource();
        var writers = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    var (status, body, _) = await onA.SendAsync(HttpMethod.Post, "/v1/policies", Authorization(account, Guid.NewGuid().ToString(), target));
                    if (status == HttpStatusCode.Created)
                        acknowledged.Add(body.GetProperty("id").GetString()!);
                }
                catch (HttpRequestException)
                {
                    return; // the node is gone
                }
            }
        })).ToArray();
        Assert.True(await EventuallyAsync(() => Task.FromResult(acknowledged.Count >= 40)));
        await a.DisposeAsync(); // SIGKILL, mid-write
        await stop.CancelAsync();
        await Task.WhenAll(writers);

        await using var b = await StartNodeAsync(database.ConnectionString);
        using var onB = await b.ClientAsync(OperatorKey);
        foreach (var id in acknowledged)
        {
            var (status, policy, _) = await onB.SendAsync(HttpMethod.Get, $"/v1/policies/{id}");
            Assert.Equal((HttpStatusCode.OK, "active"), (status, policy.GetProperty("state").GetString()));
        }
        var created = (await onB.EventsAsync(account, "&action=iam-am.policy.create"))
            .Select(e => e.GetProperty("target").GetProperty("name").GetString()!).ToHashSet();
        Assert.Superset(acknowledged.ToHashSet(), created);
    }

    [Fact]
    public async Task AConsoleFormRenderedByOneNode_IsAcceptedByTheOther()
    {
        await using var database = await PostgresTestDatabase.CreateAsync();
        var homes = new[] { Directory.CreateTempSubdirectory("tessera-home-a-").FullName, Directory.CreateTempSubdirectory("tessera-home-b-").FullName };
        var started = await Task.WhenAll(StartNodeAsync(database.ConnectionString, homes[0]), StartNodeAsync(database.ConnectionString, homes[1]));
        await using var a = started[0];
        await using var b = started[1];
        // One browser, two nodes behind a load balancer: one cookie jar for both.
        var cookies = new CookieContainer();
        using var browser = new HttpClient(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false });

        var signIn = await browser.GetStringAsync(new Uri(a.Url, "/console/signin"));
        using var signedIn = await browser.PostAsync(new Uri(b.Url, "/console/signin"), new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["apikey"] = OperatorKey, ["__RequestVerificationToken"] = AntiforgeryToken(signIn),
        }));
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        Assert.Equal("/console/authorizations", signedIn.Headers.Location?.ToString());

        var groups = await browser.GetStringAsync(new Uri(b.Url, "/console/groups"));
        using var created = await browser.PostAsync(new Uri(a.Url, "/console/groups"), new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["name"] = "made-across-nodes", ["__RequestVerificationToken"] = AntiforgeryToken(groups),
        }));
        Assert.Equal(HttpStatusCode.Redirect, created.StatusCode);
        using var onA = await a.ClientAsync(OperatorKey);
        var (_, list, _) = await onA.SendAsync(HttpMethod.Get, $"/v2/resource_groups?account_id={await AccountAsync(onA)}&name=made-across-nodes");
        Assert.Equal(1, list.GetProperty("resources").GetArrayLength());

        static string AntiforgeryToken(string html) =>
            System.Text.RegularExpressions.Regex.Match(html, "name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"").Groups[1].Value;
    }

    /// <summary>Nodes A and B over one database, signed in as the operator, with a source and a target instance made on A.</summary>
    private sealed class TwoNodes : IAsyncDisposable
    {
        private readonly TesseraNode _a;
        private readonly TesseraNode _b;

        private TwoNodes(TesseraNode a, TesseraNode b) => (_a, _b) = (a, b);

        public TesseraNode B => _b;

        public HttpClient OnA { get; private set; } = null!;
        public HttpClient OnB { get; private set; } = null!;
        public string Account { get; private set; } = null!;
        public string Source { get; private set; } = null!;
        public string Target { get; private set; } = null!;

        public static async Task<TwoNodes> StartAsync(string connectionString)
        {
            // Started together on an empty database: they must migrate it once and bootstrap one operator account.
            var started = await Task.WhenAll(StartNodeAsync(connectionString), StartNodeAsync(connectionString));
            var nodes = new TwoNodes(started[0], started[1]);
            nodes.OnA = await nodes._a.ClientAsync(OperatorKey);
            nodes.OnB = await nodes._b.ClientAsync(OperatorKey);
            nodes.Account = await AccountAsync(nodes.OnA);
            nodes.Source = await CreateInstanceAsync(nodes.OnA, nodes.Account, "cloud-object-storage");
            nodes.Target = await CreateInstanceAsync(nodes.OnA, nodes.Account, "kms");
            return nodes;
        }

        public async ValueTask DisposeAsync()
        {
            OnA.Dispose();
            OnB.Dispose();
            await _a.DisposeAsync();
            await _b.DisposeAsync();
        }
    }

    private static Task<TesseraNode> StartNodeAsync(string connectionString, string? home = null) =>
        TesseraNode.StartAsync(new Dictionary<string, string>
        {
            // A node of its own machine: nothing shared through a home directory (ASP.NET Core's default key store).
            ["HOME"] = home ?? Environment.GetEnvironmentVariable("HOME") ?? "/tmp",
            ["TESSERA_POSTGRES"] = connectionString,
            ["TESSERA_BOOTSTRAP_APIKEY"] = OperatorKey,
            // The default 5 s: a node busy with the rest of the suite may need more than a second to catch up.
            ["TESSERA_CONSISTENCY_WAIT_MS"] = "5000",
        });

    private static async Task<string> AccountAsync(HttpClient client) =>
        (await client.SendAsync(HttpMethod.Get, "/v1/apikeys/details", null, ("IAM-ApiKey", OperatorKey))).Body.GetProperty("account_id").GetString()!;

    private static async Task<string> CreateInstanceAsync(HttpClient client, string account, string service)
    {
        var (_, groups, _) = await client.SendAsync(HttpMethod.Get, $"/v2/resource_groups?account_id={account}&default=true");
        var (status, instance, _) = await client.SendAsync(HttpMethod.Post, "/v2/resource_instances", new
        {
            name = service, target = "us-south", resource_group = groups.GetProperty("resources")[0].GetProperty("id").GetString(),
            resource_plan_id = AccessSetup.PlanOf(service),
        });
        Assert.Equal(HttpStatusCode.Created, status);
        return instance.GetProperty("guid").GetString()!;
    }

    private static System.Text.Json.Nodes.JsonObject Authorization(string account, string source, string target, string? description = null) =>
        Policies.Authorization([$"accountId={account}", "serviceName=cloud-object-storage", $"serviceInstance={source}"], [Policies.Reader],
            [$"accountId={account}", "serviceName=kms", $"serviceInstance={target}"], description);

    private static async Task<bool> DecideAsync(HttpClient client, string account, string source, string target, (string, string)? header = null,
        string? contextToken = null)
    {
        var request = new System.Text.Json.Nodes.JsonObject
        {
            ["subject"] = new System.Text.Json.Nodes.JsonObject { ["type"] = "service", ["id"] = $"crn:v1:bluemix:public:cloud-object-storage:global:a/{account}:{source}::" },
            ["action"] = new System.Text.Json.Nodes.JsonObject { ["name"] = "kms.secrets.unwrap" },
            ["resource"] = new System.Text.Json.Nodes.JsonObject { ["type"] = "instance", ["id"] = $"crn:v1:bluemix:public:kms:us-south:a/{account}:{target}::" },
        };
        if (contextToken is not null)
            request["context"] = new System.Text.Json.Nodes.JsonObject { ["consistency_token"] = contextToken };
        var (status, body, _) = await client.SendAsync(HttpMethod.Post, "/access/v1/evaluation", request, header is { } h ? [h] : []);
        Assert.True(status == HttpStatusCode.OK, body.ToString());
        return body.GetProperty("decision").GetBoolean();
    }

    private static async Task<bool> EventuallyAsync(Func<Task<bool>> condition)
    {
        for (var deadline = DateTime.UtcNow.AddSeconds(30); DateTime.UtcNow < deadline; await Task.Delay(50))
        {
            if (await condition())
                return true;
        }
        return false;
    }
}
