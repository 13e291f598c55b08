using System.Data.Common;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Tessera.Storage.Relational;

namespace Tessera.Storage.Sqlite;

/// <summary>
/// The embedded store: one SQLite file in WAL mode. SQLite has a single writer, so writes queue on a gate in
/// this process instead of failing with SQLITE_BUSY; <c>synchronous=FULL</c> makes every acknowledged commit durable.
/// The gate also orders commits, so the change sink hears each one directly, in revision order.
/// </summary>
public sealed class SqliteStore : RelationalStore, IOnlineBackup, IDisposable
{
    /// <summary>The migration that added the policy binding columns; policies stored before it get them filled in code.</summary>
    private const int PolicyBindingsVersion = 2;

    private readonly string _connectionString;
    private readonly string _databasePath;
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private readonly IChangeSink? _changes;

    public SqliteStore(SqliteStoreOptions options, IChangeSink? changes = null)
    {
        _changes = changes;
        _databasePath = options.DatabasePath;
        Directory.CreateDirectory(options.DataDirectory);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = options.DatabasePath,
            Pooling = true,
            ForeignKeys = true,
            DefaultTimeout = 30,
        }.ToString();
    }

    public async ValueTask BackupToAsync(string path, CancellationToken cancellationToken)
    {
        if (File.Exists(path))
            throw new IOException($"{path} exists: a backup is written to a new file");
        await using var source = (SqliteConnection)await OpenAsync(cancellationToken);
        await using var target = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        await target.OpenAsync(cancellationToken);
        // SQLite's online backup: a consistent snapshot while writers go on (they wait only for each step's pages).
        source.BackupDatabase(target);
    }

    public async ValueTask<string?> RestoreFromAsync(string path, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
            throw new IOException($"{path} does not exist");
        SqliteConnection.ClearAllPools();
        string? kept = null;
        if (File.Exists(_databasePath))
        {
            kept = $"{_databasePath}.before-restore-{DateTime.UtcNow:yyyyMMddTHHmmssZ}";
            File.Move(_databasePath, kept);
            foreach (var suffix in new[] { "-wal", "-shm" })
            {
                if (File.Exists(_databasePath + suffix))
                    File.Move(_databasePath + suffix, kept + suffix);
            }
        }
        // Copied with SQLite's own backup, so that the restored file is consistent even if the backup had a WAL beside it.
        await using var source = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        await source.OpenAsync(cancellationToken);
        await using var target = (SqliteConnection)await OpenAsync(cancellationToken);
        source.BackupDatabase(target);
        return kept;
    }

    public void Dispose()
    {
        _writeGate.Dispose();
        SqliteConnection.ClearAllPools();
    }

    public override async ValueTask MigrateAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await ExecuteAsync(connection, null, "PRAGMA journal_mode = WAL;", cancellationToken);
        await ExecuteAsync(connection, null,
            "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL);", cancellationToken);

        using var gate = await EnterWriteAsync(cancellationToken);
        foreach (var (version, sql) in SchemaScripts.In(typeof(SqliteStore).Assembly))
        {
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            var applied = await ScalarAsync(connection, transaction, "SELECT COUNT(*) FROM schema_migrations WHERE version = @v", cancellationToken, ("@v", version));
            if (Convert.ToInt64(applied, CultureInfo.InvariantCulture) == 0)
            {
                await ExecuteAsync(connection, transaction, sql, cancellationToken);
                if (version == PolicyBindingsVersion)
                    await BackfillPolicyBindingsAsync(connection, transaction, cancellationToken);
                await ExecuteAsync(connection, transaction, "INSERT INTO schema_migrations (version, applied_at) VALUES (@v, @t)",
                    cancellationToken, ("@v", version), ("@t", Format(DateTimeOffset.UtcNow)));
            }
            await transaction.CommitAsync(cancellationToken);
        }
    }

    protected override async ValueTask<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        // Per connection: FULL makes a commit durable before it is acknowledged; wait for a lock rather than fail.
        await ExecuteAsync(connection, null, "PRAGMA synchronous = FULL; PRAGMA busy_timeout = 10000;", cancellationToken);
        return connection;
    }

    protected override async ValueTask<IDisposable?> EnterWriteAsync(CancellationToken cancellationToken)
    {
        await _writeGate.WaitAsync(cancellationToken);
        return new Releaser(_writeGate);
    }

    // Still inside the gate: the sink hears about commits in revision order.
    protected override ValueTask AfterCommitAsync(ChangeSet changes, CancellationToken cancellationToken)
    {
        _changes?.Apply(changes);
        return ValueTask.CompletedTask;
    }

    // One writer, under the gate: this process has applied every revision there is, so only the trail's followers need waking.
    protected override ValueTask AfterEventAsync(long revision, CancellationToken cancellationToken) =>
        AfterCommitAsync(ChangeSet.Empty(revision), cancellationToken);

    private static async ValueTask BackfillPolicyBindingsAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken)
    {
        foreach (var policy in await ReadAllAsync(connection, transaction, $"SELECT {PolicyColumns} FROM policies", ReadPolicy, cancellationToken))
        {
            var bindings = PolicyBindings.Of(policy);
            await ExecuteAsync(connection, transaction,
                """
                UPDATE policies SET subject_id = @subject, source_instance = @sourceInstance, target_instance = @targetInstance, delegator_instance = @delegator
                WHERE id = @id
                """, cancellationToken, ("@id", policy.Id), ("@subject", bindings.SubjectId), ("@sourceInstance", bindings.SourceInstance),
                ("@targetInstance", bindings.TargetInstance), ("@delegator", bindings.DelegatorInstance));
        }
    }

    private sealed class Releaser(SemaphoreSlim gate) : IDisposable
    {
        public void Dispose() => gate.Release();
    }
}
