using System.Data.Common;
using System.Globalization;

namespace Tessera.Storage.Relational;

/// <summary>
/// Everything the SQLite and PostgreSQL stores share: the schema's tables and the SQL over them, written once in the
/// dialect both understand (named <c>@parameters</c>, flags as integers, <c>RETURNING</c>, <c>ON CONFLICT</c>). A
/// provider supplies connections, migrations, how its writers are ordered and what happens after a commit.
/// <para>
/// Every write is one transaction that first advances the revision row. That row is locked until commit, so writers
/// are serialized in the database itself: committed revisions have no gaps, an ETag or duplicate check inside the
/// transaction sees every earlier commit (R6 and If-Match hold across nodes), and event sequence numbers follow commit
/// order, which lets a reader of the trail resume after any event without missing one.
/// </para>
/// </summary>
public abstract partial class RelationalStore : ITesseraStore
{
    private const string TimeFormat = PageCursor.TimeFormat;

    /// <summary>The first <c>UPDATE</c> of every write: advances the revision and locks its row until commit.</summary>
    protected const string NextRevisionSql = "UPDATE revision SET value = value + 1 WHERE id = 1 RETURNING value";

    public abstract ValueTask MigrateAsync(CancellationToken cancellationToken);

    /// <summary>A new open connection, ready for use.</summary>
    protected abstract ValueTask<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken);

    /// <summary>Orders this process's writers where the database does not (SQLite); null where it does.</summary>
    protected virtual ValueTask<IDisposable?> EnterWriteAsync(CancellationToken cancellationToken) => ValueTask.FromResult<IDisposable?>(null);

    /// <summary>The last step inside a write's transaction (PostgreSQL: tell the other nodes).</summary>
    protected virtual ValueTask BeforeCommitAsync(DbConnection connection, DbTransaction transaction, long revision, CancellationToken cancellationToken) =>
        ValueTask.CompletedTask;

    /// <summary>After a commit, before the write returns: bring this node's in-memory views up to <see cref="ChangeSet.Revision"/>.</summary>
    protected abstract ValueTask AfterCommitAsync(ChangeSet changes, CancellationToken cancellationToken);

    /// <summary>
    /// After an event alone was committed (a refusal): it moved no revision, so <paramref name="revision"/> is whatever the
    /// database was at — perhaps another node's commit this node has not applied. Bring the views up to it, and wake the
    /// followers of the trail.
    /// </summary>
    protected abstract ValueTask AfterEventAsync(long revision, CancellationToken cancellationToken);

    public async ValueTask<long> GetRevisionAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return Convert.ToInt64(await ScalarAsync(connection, null, "SELECT value FROM revision WHERE id = 1", cancellationToken),
            CultureInfo.InvariantCulture);
    }
}
