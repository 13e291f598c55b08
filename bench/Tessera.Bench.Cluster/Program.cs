// Several Tessera nodes over one PostgreSQL, measured from outside as a client sees them (docs/performance.md):
//   propagation  how long after a write on node A node B has applied it (B answers a decision that carries A's token)
//   writes       policy creations per second and their latency, against one node and against two
//   load         start-up of a node over a database seeded with N policies: the index load, and the process's memory
// Usage: dotnet Tessera.Bench.Cluster.dll <propagation|writes|load> --postgres "<server connection string>" --server <Tessera.Server.dll>
//        [--writes N] [--seconds S] [--clients C] [--policies N]
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Npgsql;
using NpgsqlTypes;
using Tessera.Policies;
using Tessera.Storage;
using Tessera.Tests;

const string OperatorKey = "cluster-bench-operator-key-0123456789abcdefghij";
var options = Options.Parse(args);
var database = "tessera_bench_" + Guid.NewGuid().ToString("N");
await Sql(options.Postgres, $"CREATE DATABASE {database}");
var connectionString = new NpgsqlConnectionStringBuilder(options.Postgres) { Database = database }.ConnectionString;
try
{
    switch (options.Command)
    {
        case "propagation": await PropagationAsync(); break;
        case "writes": await WritesAsync(1); await WritesAsync(2); break;
        case "load": await LoadAsync(); break;
        default: throw new ArgumentException($"unknown command '{options.Command}'");
    }
}
finally
{
    NpgsqlConnection.ClearAllPools();
    await Sql(options.Postgres, $"DROP DATABASE {database} WITH (FORCE)");
}

async Task PropagationAsync()
{
    await using var a = await StartNodeAsync();
    await using var b = await StartNodeAsync();
    using var onA = await a.ClientAsync(OperatorKey);
    using var onB = await b.ClientAsync(OperatorKey);
    var account = await AccountAsync(onA);
    var target = await InstanceAsync(onA, account, "kms");
    var waits = new List<double>();
    var roundTrips = new List<double>();
    for (var i = 0; i < options.Writes; i++)
    {
        var source = Guid.NewGuid().ToString();
        using var created = await onA.PostAsJsonAsync("/v1/policies", Authorization(account, source, target));
        var token = created.Headers.GetValues("Consistency-Token").Single();
        var started = Stopwatch.GetTimestamp();
        await DecideAsync(onB, account, source, target, token); // answered once B has applied A's write
        waits.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        started = Stopwatch.GetTimestamp();
        await DecideAsync(onB, account, source, target, token); // the same request with nothing left to wait for
        roundTrips.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }
    Console.WriteLine($"propagation A→B over {options.Writes} writes: decision on B carrying A's token p50 {P(waits, 50):F2} ms, p99 {P(waits, 99):F2} ms, max {waits.Max():F2} ms");
    Console.WriteLine($"  the same decision once applied (round trip alone): p50 {P(roundTrips, 50):F2} ms, p99 {P(roundTrips, 99):F2} ms");
}

async Task WritesAsync(int nodeCount)
{
    var nodes = new List<TesseraNode>();
    for (var i = 0; i < nodeCount; i++)
        nodes.Add(await StartNodeAsync());
    try
    {
        var clients = new List<HttpClient>();
        foreach (var node in nodes)
            clients.Add(await node.ClientAsync(OperatorKey));
        var account = await AccountAsync(clients[0]);
        var target = await InstanceAsync(clients[0], account, "kms");
        var latencies = new List<double>();
        var deadline = Stopwatch.GetTimestamp() + (long)(options.Seconds * Stopwatch.Frequency);
        var workers = Enumerable.Range(0, options.Clients).Select(worker => Task.Run(async () =>
        {
            var client = clients[worker % clients.Count];
            var mine = new List<double>();
            while (Stopwatch.GetTimestamp() < deadline)
            {
                var started = Stopwatch.GetTimestamp();
                using var response = await client.PostAsJsonAsync("/v1/policies", Authorization(account, Guid.NewGuid().ToString(), target));
                if ((int)response.StatusCode != 201)
                    throw new InvalidOperationException($"a create answered {(int)response.StatusCode}");
                mine.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
            lock (latencies)
                latencies.AddRange(mine);
        })).ToArray();
        await Task.WhenAll(workers);
        Console.WriteLine($"writes, {nodeCount} node(s), {options.Clients} clients, {options.Seconds} s: {latencies.Count / options.Seconds:F0} creates/s, " +
                          $"p50 {P(latencies, 50):F2} ms, p99 {P(latencies, 99):F2} ms");
        foreach (var client in clients)
            client.Dispose();
    }
    finally
    {
        foreach (var node in nodes)
            await node.DisposeAsync();
        await Sql(connectionString, "TRUNCATE policies, events; UPDATE revision SET value = 0");
    }
}

async Task LoadAsync()
{
    // A first node creates the schema and the operator account; the policies then go in with COPY, as a restore would.
    await (await StartNodeAsync()).DisposeAsync();
    var seeding = Stopwatch.StartNew();
    await SeedAsync(options.Policies);
    Console.WriteLine($"seeded {options.Policies:N0} policies with COPY in {seeding.Elapsed.TotalSeconds:F1} s");

    // The two parts of a node's start-up, in this process: streaming the rows out of PostgreSQL (parsed into policies
    // and dropped), then the same stream into a decision index, as the server loads it.
    await using (var store = new Tessera.Storage.Postgres.PostgresStore(new Tessera.Storage.Postgres.PostgresStoreOptions { ConnectionString = connectionString }))
    {
        var reading = Stopwatch.StartNew();
        var read = 0;
        await foreach (var _ in store.ReadActivePoliciesAsync(CancellationToken.None))
            read++;
        Console.WriteLine($"streaming {read:N0} active policies out of PostgreSQL alone: {reading.Elapsed.TotalSeconds:F1} s");
        var indexing = Stopwatch.StartNew();
        var index = new Tessera.Decisions.DecisionIndex(new Tessera.Decisions.CatalogRoleActions(Tessera.Catalog.ServiceCatalog.LoadBuiltIn()));
        index.Load(store.ReadActivePoliciesAsync(CancellationToken.None).ToBlockingEnumerable(), 1);
        Console.WriteLine($"streaming them into a decision index, in this process: {indexing.Elapsed.TotalSeconds:F1} s ({index.Count:N0} policies)");
    }

    var started = Stopwatch.StartNew();
    await using var node = await StartNodeAsync();
    var ready = started.Elapsed;
    var loaded = System.Text.RegularExpressions.Regex.Match(node.Output, @"Loaded (\d+) active policies at revision \d+ in ([\d.]+) s");
    var rss = File.ReadAllLines($"/proc/{node.ProcessId}/status").Single(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
    Console.WriteLine($"load from PostgreSQL: {loaded.Groups[1].Value} policies in {loaded.Groups[2].Value} s (index load, as the node logs it); " +
                      $"process start to listening {ready.TotalSeconds:F1} s; {rss.Replace("VmRSS:", "resident", StringComparison.Ordinal).Trim()}");
}

async Task SeedAsync(int count)
{
    var now = DateTimeOffset.UtcNow;
    var text = now.UtcDateTime.ToString(PageCursor.TimeFormat, CultureInfo.InvariantCulture);
    await using var connection = new NpgsqlConnection(connectionString);
    await connection.OpenAsync();
    await using (var writer = await connection.BeginBinaryImportAsync(
        "COPY policies (id, account_id, type, state, source_service, target_service, fingerprint, body, created_at, created_by_id, " +
        "last_modified_at, last_modified_by_id, revision, etag, target_instance) FROM STDIN (FORMAT BINARY)"))
    {
        for (var i = 0; i < count; i++)
        {
            // 1,000 target accounts, each with its own kms instances, and cos as the source: the shape of a busy platform.
            var target = $"{i % 1000:x32}";
            var instance = Guid.NewGuid().ToString();
            var policy = new Policy
            {
                Id = Guid.NewGuid().ToString(), Type = PolicyType.Authorization, AccountId = target,
                Subject = [new(AttributeNames.AccountId, target, AttributeOperator.StringEquals, false), new(AttributeNames.ServiceName, "cloud-object-storage", AttributeOperator.StringEquals, false)],
                Roles = ["crn:v1:bluemix:public:iam::::serviceRole:Reader"],
                Resource = [new(AttributeNames.AccountId, target, AttributeOperator.StringEquals, true), new(AttributeNames.ServiceName, "kms", AttributeOperator.StringEquals, true),
                            new(AttributeNames.ServiceInstance, instance, AttributeOperator.StringEquals, true)],
                CreatedAt = now, CreatedById = "IBMid-BENCH", LastModifiedAt = now, LastModifiedById = "IBMid-BENCH",
            };
            await writer.StartRowAsync();
            foreach (var value in new object[] { policy.Id, target, "authorization", "active", "cloud-object-storage", "kms", policy.Fingerprint(),
                         PolicyBodyCodec.Serialize(policy), text, "IBMid-BENCH", text, "IBMid-BENCH" })
                await writer.WriteAsync((string)value, NpgsqlDbType.Text);
            await writer.WriteAsync(1L, NpgsqlDbType.Bigint);
            await writer.WriteAsync("1-00", NpgsqlDbType.Text);
            await writer.WriteAsync(instance, NpgsqlDbType.Text);
        }
        await writer.CompleteAsync();
    }
    await Sql(connectionString, "UPDATE revision SET value = value + 1");
}

Task<TesseraNode> StartNodeAsync() => TesseraNode.StartAsync(options.Server, new Dictionary<string, string>
{
    ["TESSERA_POSTGRES"] = connectionString,
    ["TESSERA_BOOTSTRAP_APIKEY"] = OperatorKey,
    ["Logging__LogLevel__Default"] = "Information",
});

static async Task<string> AccountAsync(HttpClient client)
{
    using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/apikeys/details");
    request.Headers.Add("IAM-ApiKey", OperatorKey);
    using var response = await client.SendAsync(request);
    return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("account_id").GetString()!;
}

static async Task<string> InstanceAsync(HttpClient client, string account, string service)
{
    var groups = await client.GetFromJsonAsync<JsonElement>($"/v2/resource_groups?account_id={account}&default=true");
    using var response = await client.PostAsJsonAsync("/v2/resource_instances", new
    {
        name = service, target = "us-south", resource_group = groups.GetProperty("resources")[0].GetProperty("id").GetString(),
        resource_plan_id = "eedd3585-90c6-4c8d-be4a-5a0b1b9d4b08",
    });
    return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("guid").GetString()!;
}

static JsonObject Authorization(string account, string source, string target) => new()
{
    ["type"] = "authorization",
    ["subjects"] = new JsonArray(new JsonObject { ["attributes"] = new JsonArray(
        new JsonObject { ["name"] = "accountId", ["value"] = account }, new JsonObject { ["name"] = "serviceName", ["value"] = "cloud-object-storage" },
        new JsonObject { ["name"] = "serviceInstance", ["value"] = source }) }),
    ["roles"] = new JsonArray(new JsonObject { ["role_id"] = "crn:v1:bluemix:public:iam::::serviceRole:Reader" }),
    ["resources"] = new JsonArray(new JsonObject { ["attributes"] = new JsonArray(
        new JsonObject { ["name"] = "accountId", ["value"] = account }, new JsonObject { ["name"] = "serviceName", ["value"] = "kms" },
        new JsonObject { ["name"] = "serviceInstance", ["value"] = target }) }),
};

static async Task DecideAsync(HttpClient client, string account, string source, string target, string token)
{
    using var request = new HttpRequestMessage(HttpMethod.Post, "/access/v1/evaluation")
    {
        Content = JsonContent.Create(new
        {
            subject = new { type = "service", id = $"crn:v1:bluemix:public:cloud-object-storage:global:a/{account}:{source}::" },
            action = new { name = "kms.secrets.unwrap" },
            resource = new { type = "instance", id = $"crn:v1:bluemix:public:kms:us-south:a/{account}:{target}::" },
        }),
    };
    request.Headers.Add("Consistency-Token", token);
    using var response = await client.SendAsync(request);
    var body = await response.Content.ReadFromJsonAsync<JsonElement>();
    if (!response.IsSuccessStatusCode || !body.GetProperty("decision").GetBoolean())
        throw new InvalidOperationException($"B did not permit the write it was told to wait for: {body}");
}

static double P(List<double> values, int percentile)
{
    var sorted = values.Order().ToList();
    return sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(percentile / 100.0 * sorted.Count) - 1)];
}

static async Task Sql(string connectionString, string sql)
{
    await using var connection = new NpgsqlConnection(connectionString);
    await connection.OpenAsync();
    await using var command = new NpgsqlCommand(sql, connection);
    await command.ExecuteNonQueryAsync();
}

internal sealed record Options(string Command, string Postgres, string Server, int Writes, double Seconds, int Clients, int Policies)
{
    public static Options Parse(string[] args)
    {
        string? Value(string name) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;
        return new Options(
            args.FirstOrDefault() ?? throw new ArgumentException("usage: <propagation|writes|load> --postgres CONN --server DLL"),
            Value("--postgres") ?? throw new ArgumentException("--postgres is required"),
            Value("--server") ?? throw new ArgumentException("--server is required"),
            int.Parse(Value("--writes") ?? "300", CultureInfo.InvariantCulture),
            double.Parse(Value("--seconds") ?? "10", CultureInfo.InvariantCulture),
            int.Parse(Value("--clients") ?? "16", CultureInfo.InvariantCulture),
            int.Parse(Value("--policies") ?? "1000000", CultureInfo.InvariantCulture));
    }
}
