using System.Data.Common;
using System.Globalization;
using Tessera.Audit;

namespace Tessera.Storage.Relational;

// The audit trail and the change log.
public abstract partial class RelationalStore
{
    public async ValueTask AppendEventAsync(AuditEvent auditEvent, CancellationToken cancellationToken)
    {
        using var gate = await EnterWriteAsync(cancellationToken);
        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        // Locks the revision row without moving it, so that the event's sequence number still follows commit order.
        var revision = Convert.ToInt64(await ScalarAsync(connection, transaction, "UPDATE revision SET value = value WHERE id = 1 RETURNING value",
            cancellationToken), CultureInfo.InvariantCulture);
        await InsertEventAsync(connection, transaction, auditEvent, revision, cancellationToken);
        await BeforeCommitAsync(connection, transaction, revision, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        await AfterEventAsync(revision, cancellationToken);
    }

    /// <summary>
    /// The change log, for a node that follows writes made elsewhere: every policy, instance and membership whose last
    /// change is after <paramref name="afterRevision"/>, in its current state, read in one snapshot together with the
    /// revision that snapshot covers. Applying it brings a follower to that revision.
    /// </summary>
    public async ValueTask<ChangeSet> ReadChangesAsync(long afterRevision, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken);
        var revision = Convert.ToInt64(await ScalarAsync(connection, transaction, "SELECT value FROM revision WHERE id = 1", cancellationToken),
            CultureInfo.InvariantCulture);
        (string, object?)[] range = [("@after", afterRevision), ("@upto", revision)];
        const string InRange = "revision > @after AND revision <= @upto";
        var policies = await ReadAllAsync(connection, transaction, $"SELECT {PolicyColumns} FROM policies WHERE {InRange}", ReadPolicy, cancellationToken, range);
        var instances = await ReadAllAsync(connection, transaction, $"SELECT {InstanceColumns} FROM service_instances WHERE {InRange}", ReadInstance,
            cancellationToken, range);
        var memberships = await ReadAllAsync(connection, transaction, $"SELECT {MemberColumns}, removed FROM group_members WHERE {InRange}",
            r => ReadMembership(r) with { Removed = Flag(r, 5) }, cancellationToken, range);
        var credentials = await ReadAllAsync(connection, transaction, $"SELECT {CredentialColumns} FROM credential_changes WHERE {InRange} ORDER BY revision",
            ReadCredentialChange, cancellationToken, range);
        await transaction.CommitAsync(cancellationToken);
        return new ChangeSet(revision, policies, instances, memberships, credentials);
    }

    public async ValueTask<IReadOnlyList<CredentialChange>> ReadCredentialChangesSinceAsync(DateTimeOffset since, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await ReadAllAsync(connection, null, $"SELECT {CredentialColumns} FROM credential_changes WHERE at >= @since ORDER BY revision",
            ReadCredentialChange, cancellationToken, ("@since", Format(since)));
    }

    public async ValueTask<int> PruneEventsAsync(EventRetention retention, Func<IReadOnlyList<StoredEvent>, ValueTask> exportAsync,
        CancellationToken cancellationToken)
    {
        using var gate = await EnterWriteAsync(cancellationToken);
        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        // The revision row orders this with every writer, so that two nodes pruning at once remove (and export) each event once.
        await ScalarAsync(connection, transaction, "UPDATE revision SET value = value WHERE id = 1 RETURNING value", cancellationToken);
        var newest = await ScalarAsync(connection, transaction, "SELECT MAX(seq) FROM events", cancellationToken) is { } max and not DBNull
            ? Convert.ToInt64(max, CultureInfo.InvariantCulture)
            : 0;
        var due = await ReadAllAsync(connection, transaction,
            new Sql("SELECT seq, account_id, body, revision FROM events WHERE (event_time < @before OR seq <= @keepAfter) ORDER BY seq LIMIT @batch",
                ("@before", retention.OlderThan is { } before ? Format(before) : string.Empty),
                ("@keepAfter", retention.KeepNewest is { } keep ? newest - keep : 0L), ("@batch", retention.Batch)),
            r => new StoredEvent(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetInt64(3)), cancellationToken);
        if (due.Count == 0)
            return 0;
        // Exported first, deleted after: a crash between the two leaves the events in the store (and the export holding
        // them twice, by the same ids), never an event that is in neither.
        await exportAsync(due);
        await ExecuteAsync(connection, transaction, "DELETE FROM events WHERE seq >= @first AND seq <= @last AND (event_time < @before OR seq <= @keepAfter)",
            cancellationToken, ("@first", due[0].Sequence), ("@last", due[^1].Sequence),
            ("@before", retention.OlderThan is { } olderThan ? Format(olderThan) : string.Empty), ("@keepAfter", retention.KeepNewest is { } newestKept ? newest - newestKept : 0L));
        await transaction.CommitAsync(cancellationToken);
        return due.Count;
    }

    private const string CredentialColumns = "kind, id, at";

    private static CredentialChange ReadCredentialChange(DbDataReader reader) =>
        new(Enum.Parse<CredentialKind>(reader.GetString(0)), reader.GetString(1), Parse(reader.GetString(2)));

    /// <summary>Logs a credential change in the write's transaction, for the followers, and hands it to this node's sinks.</summary>
    private static async ValueTask LogCredentialChangeAsync(DbConnection connection, DbTransaction transaction, long revision, Changes changes,
        CredentialChange change, CancellationToken cancellationToken)
    {
        await ExecuteAsync(connection, transaction, "INSERT INTO credential_changes (revision, kind, id, at) VALUES (@revision, @kind, @id, @at)",
            cancellationToken, ("@revision", revision), ("@kind", change.Kind.ToString()), ("@id", change.Id), ("@at", Format(change.At)));
        changes.Credentials.Add(change);
    }

    public async ValueTask<IReadOnlyList<AuditEvent>> ListEventsAsync(EventQuery query, CancellationToken cancellationToken)
    {
        var sql = new Sql("SELECT body, revision, seq FROM events WHERE account_id = @account AND seq > @after",
                ("@account", query.AccountId), ("@after", query.AfterSequence))
            .And(query.Action is not null, " AND action = @action", ("@action", query.Action))
            .And(query.TargetId is not null, " AND target_id = @target", ("@target", query.TargetId))
            .And(query.From is not null, " AND event_time >= @from", ("@from", query.From is { } from ? Format(from) : null))
            .And(query.To is not null, " AND event_time < @to", ("@to", query.To is { } to ? Format(to) : null))
            .And(query.NewestBefore is not null, " AND seq < @before", ("@before", query.NewestBefore))
            .Then(query.NewestBefore is null ? " ORDER BY seq LIMIT @limit" : " ORDER BY seq DESC LIMIT @limit", ("@limit", query.Limit));
        await using var connection = await OpenAsync(cancellationToken);
        return await ReadAllAsync(connection, null, sql, r => AuditEventCodec.FromJson(r.GetString(0), r.GetInt64(1), r.GetInt64(2)), cancellationToken);
    }

    private static async ValueTask InsertEventAsync(DbConnection connection, DbTransaction transaction, AuditEvent e, long revision, CancellationToken cancellationToken) =>
        await ExecuteAsync(connection, transaction,
            "INSERT INTO events (id, revision, account_id, action, target_id, event_time, body) VALUES (@id, @revision, @account, @action, @target, @time, @body)",
            cancellationToken, ("@id", e.Id), ("@revision", revision), ("@account", e.AccountId), ("@action", e.Action), ("@target", e.Target.Id),
            ("@time", Format(e.EventTime)), ("@body", AuditEventCodec.ToJson(e)));

}
