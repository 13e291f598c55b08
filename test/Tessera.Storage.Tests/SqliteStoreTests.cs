using Tessera.Storage.Sqlite;
using Microsoft.Data.Sqlite;
using Tessera.Model;
using Tessera.Policies;

namespace Tessera.Storage.Tests;

/// <summary>The store suite over a real SQLite file in a fresh directory.</summary>
public sealed class SqliteStoreTests : StoreTestSuite
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "tessera-store-" + Guid.NewGuid().ToString("N"));
    private readonly List<SqliteStore> _stores = [];

    protected override Task<ITesseraStore> CreateStoreAsync(IChangeSink changes) => Task.FromResult<ITesseraStore>(Open(changes));

    protected override async Task<ITesseraStore> ReopenAsync()
    {
        var store = Open();
        await store.MigrateAsync(CancellationToken.None);
        return store;
    }

    public override Task DisposeAsync()
    {
        foreach (var store in _stores)
            store.Dispose();
        Directory.Delete(_directory, recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public void Open_UsesWriteAheadLoggingInTheDataDirectory()
    {
        Assert.True(File.Exists(Path.Combine(_directory, "tessera.db")));
        Assert.True(File.Exists(Path.Combine(_directory, "tessera.db-wal")));
    }

    [Fact]
    public async Task Migrate_FromTheFirstSchema_BindsExistingPoliciesSoThatRemovalsCascadeToThem()
    {
        // A file as the first release left it: schema 001 only, one account, one authorization naming an instance by CRN.
        var directory = Path.Combine(_directory, "from-001");
        Directory.CreateDirectory(directory);
        var (accountId, groupId, instanceGuid) = (Ids.NewHex32(), Ids.NewHex32(), Ids.NewUuid());
        var crn = Crn.ForInstance("kms", "us-south", accountId, instanceGuid).ToString();
        var policy = NewPolicy(accountId, "kms", crn);
        await using (var connection = new SqliteConnection($"Data Source={Path.Combine(directory, "tessera.db")};Pooling=false"))
        {
            await connection.OpenAsync();
            using var reader = new StreamReader(typeof(SqliteStore).Assembly.GetManifestResourceStream("Tessera.Storage.Sqlite.Migrations.001_initial.sql")!);
            await using var command = connection.CreateCommand();
            command.CommandText = await reader.ReadToEndAsync() + $"""
                CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL);
                INSERT INTO schema_migrations VALUES (1, '2026-11-01T00:00:00.000Z');
                INSERT INTO accounts VALUES ('{accountId}', 'old', 'IBMid-OLD', '2026-11-01T00:00:00.000Z');
                INSERT INTO resource_groups VALUES ('{groupId}', '{accountId}', 'Default', 1, '2026-11-01T00:00:00.000Z');
                INSERT INTO policies VALUES ('{policy.Id}', '{accountId}', 'authorization', 'active', 'cloud-object-storage', 'kms', 'fp', $body,
                    '2026-11-01T00:00:00.000Z', 'IBMid-OLD', '2026-11-01T00:00:00.000Z', 'IBMid-OLD', 1, '1-00');
                UPDATE revision SET value = 1;
                """;
            command.Parameters.AddWithValue("$body", PolicyBodyCodec.Serialize(policy));
            await command.ExecuteNonQueryAsync();
        }

        using var store = new SqliteStore(new SqliteStoreOptions { DataDirectory = directory });
        await store.MigrateAsync(CancellationToken.None);
        var instance = new ServiceInstance
        {
            Guid = instanceGuid, AccountId = accountId, ServiceName = "kms", Region = "us-south", Name = "old-keys", ResourceGroupId = groupId,
            PlanId = "plan", CreatedAt = DateTimeOffset.UtcNow, CreatedBy = "IBMid-OLD",
        };
        await store.CreateInstanceAsync(instance, InstanceEvent(instance, "create"), CancellationToken.None);
        await store.RemoveInstanceAsync(instanceGuid, "IBMid-OLD", DateTimeOffset.UtcNow, InstanceEvent(instance, "delete"), Cascade, CancellationToken.None);

        Assert.Equal(PolicyState.Deleted, (await store.GetPolicyAsync(policy.Id, CancellationToken.None))!.State);
        Assert.True((await store.GetOperatorAccountAsync(CancellationToken.None))?.Id == accountId);
    }

    private SqliteStore Open(IChangeSink? changes = null)
    {
        var store = new SqliteStore(new SqliteStoreOptions { DataDirectory = _directory }, changes);
        _stores.Add(store);
        return store;
    }
}
