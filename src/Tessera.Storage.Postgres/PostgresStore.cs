using System.Data.Common;
using System.Globalization;
using Npgsql;
using Tessera.Storage.Relational;

namespace Tessera.Storage.Postgres;

/// <summary>
/// The store for several nodes: one PostgreSQL database shared by stateless Tessera nodes. Writers on all nodes are
/// serialized by the revision row (see <see cref="RelationalStore"/>); each commit notifies the other nodes, whose
/// <see cref="ChangeLogFollower"/> reads the change log and applies it to their in-memory views. A node applies its own
/// writes the same way, in revision order, before they return: read-your-writes on the node, and no revision skipped.
/// </summary>
public sealed class PostgresStore : RelationalStore, IAsyncDisposable
{
    public const string NotifyChannel = "tessera_changes";

    // Two nodes starting together migrate once: the second waits for this lock, then finds nothing left to apply.
    private const long MigrationLockKey = 0x7465_7373_6572_6131; // "tessera1"

    private readonly NpgsqlDataSource _dataSource;

    public PostgresStore(PostgresStoreOptions options, IChangeSink? changes = null)
    {
        var builder = new NpgsqlConnectionStringBuilder(options.ConnectionString);
        // A node that cannot reach the database should say so quickly (writes answer 503) rather than hang for 15 s.
        if (!options.ConnectionString.Contains("Timeout", StringComparison.OrdinalIgnoreCase))
            builder.Timeout = 3;
        _dataSource = NpgsqlDataSource.Create(builder.ConnectionString);
        Follower = new ChangeLogFollower(this, _dataSource, changes ?? new ChangeFanout(), options.PollInterval);
    }

    /// <summary>What keeps this node's views in step with the database; run <see cref="ChangeLogFollower.RunAsync"/> in the background.</summary>
    public ChangeLogFollower Follower { get; }

    public async ValueTask DisposeAsync()
    {
        await Follower.DisposeAsync();
        await _dataSource.DisposeAsync();
    }

    public override async ValueTask MigrateAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await ExecuteAsync(connection, null, "SELECT pg_advisory_lock(@key)", cancellationToken, ("@key", MigrationLockKey));
        try
        {
            await ExecuteAsync(connection, null,
                "CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, applied_at text NOT NULL)", cancellationToken);
            foreach (var (version, sql) in SchemaScripts.In(typeof(PostgresStore).Assembly))
            {
                await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
                var applied = await ScalarAsync(connection, transaction, "SELECT COUNT(*) FROM schema_migrations WHERE version = @v", cancellationToken,
                    ("@v", version));
                if (Convert.ToInt64(applied, CultureInfo.InvariantCulture) == 0)
                {
                    await ExecuteAsync(connection, transaction, sql, cancellationToken);
                    await ExecuteAsync(connection, transaction, "INSERT INTO schema_migrations (version, applied_at) VALUES (@v, @t)", cancellationToken,
                        ("@v", version), ("@t", Format(DateTimeOffset.UtcNow)));
                }
                await transaction.CommitAsync(cancellationToken);
            }
        }
        finally
        {
            await ExecuteAsync(connection, null, "SELECT pg_advisory_unlock(@key)", CancellationToken.None, ("@key", MigrationLockKey));
        }
    }

    protected override async ValueTask<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken) =>
        await _dataSource.OpenConnectionAsync(cancellationToken);

    // Delivered to every listening node when the transaction commits, and only then.
    protected override async ValueTask BeforeCommitAsync(DbConnection connection, DbTransaction transaction, long revision, CancellationToken cancellationToken) =>
        await ExecuteAsync(connection, transaction, $"SELECT pg_notify('{NotifyChannel}', @revision)", cancellationToken,
            ("@revision", revision.ToString(CultureInfo.InvariantCulture)));

    // Other nodes' earlier commits may not have reached this node yet: apply the log up to this revision, in order.
    protected override async ValueTask AfterCommitAsync(ChangeSet changes, CancellationToken cancellationToken) =>
        await Follower.CatchUpAsync(changes, cancellationToken);

    protected override async ValueTask AfterEventAsync(long revision, CancellationToken cancellationToken) =>
        await Follower.EventAppendedAsync(revision, cancellationToken);
}
