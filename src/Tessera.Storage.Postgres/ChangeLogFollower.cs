using Npgsql;
using Tessera.Storage.Relational;

namespace Tessera.Storage.Postgres;

/// <summary>
/// Keeps one node's in-memory views (decision index, resource directory, trail followers) in step with the database.
/// It LISTENs for commit notifications and, when one arrives — or when a poll interval passes without one, or after a
/// reconnect — reads the change log from the last revision it applied and applies it, so that a notification lost
/// while the connection was down costs at most a poll interval, never a change. Revisions are applied strictly in
/// order, one change set at a time; the node's own writes go through the same gate.
/// </summary>
public sealed class ChangeLogFollower : IChangeFollower, IAsyncDisposable
{
    private readonly RelationalStore _store;
    private readonly NpgsqlDataSource _dataSource;
    private readonly IChangeSink _sink;
    private readonly TimeSpan _pollInterval;
    private readonly SemaphoreSlim _applyGate = new(1, 1);
    private long _applied;
    private long _databaseRevision;
    private volatile bool _reachable = true;

    internal ChangeLogFollower(RelationalStore store, NpgsqlDataSource dataSource, IChangeSink sink, TimeSpan pollInterval)
    {
        _store = store;
        _dataSource = dataSource;
        _sink = sink;
        _pollInterval = pollInterval;
    }

    /// <summary>The revision this node's views reflect.</summary>
    public long AppliedRevision => Volatile.Read(ref _applied);

    /// <summary>How many revisions the database was ahead of this node when the follower last read its revision.</summary>
    public long Behind => Math.Max(0, Volatile.Read(ref _databaseRevision) - AppliedRevision);

    /// <summary>Whether the follower's last attempt to reach the database succeeded.</summary>
    public bool DatabaseReachable => _reachable;

    /// <summary>Where this node's views start: the revision they were loaded at.</summary>
    public void StartFrom(long revision) => Volatile.Write(ref _applied, revision);

    /// <summary>
    /// After this node committed <paramref name="committed"/>: applies it, and first whatever other nodes committed
    /// before it. When nothing is missing the change set is applied as is, without reading the log back.
    /// </summary>
    public async ValueTask CatchUpAsync(ChangeSet committed, CancellationToken cancellationToken)
    {
        await _applyGate.WaitAsync(cancellationToken);
        try
        {
            if (_applied >= committed.Revision)
                return;
            if (_applied == committed.Revision - 1)
                Publish(committed);
            else
                await ApplyLogAsync(cancellationToken);
        }
        finally
        {
            _applyGate.Release();
        }
    }

    /// <summary>
    /// After this node appended an event at <paramref name="revision"/>, which the event did not move: the revision may be
    /// another node's commit that has not reached this node, so it is read from the log — never taken as applied — and
    /// followers of the trail are woken either way.
    /// </summary>
    public async ValueTask EventAppendedAsync(long revision, CancellationToken cancellationToken)
    {
        await _applyGate.WaitAsync(cancellationToken);
        try
        {
            if (_applied < revision)
                await ApplyLogAsync(cancellationToken); // publishing what it finds wakes the trail's followers too
            else
                _sink.Apply(ChangeSet.Empty(_applied));
        }
        finally
        {
            _applyGate.Release();
        }
    }

    /// <summary>Follows the database until <paramref name="stopping"/>: listens, applies, reconnects.</summary>
    public async Task RunAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await using var connection = await _dataSource.OpenConnectionAsync(stopping);
                await using (var listen = new NpgsqlCommand($"LISTEN {PostgresStore.NotifyChannel}", connection))
                    await listen.ExecuteNonQueryAsync(stopping);
                _reachable = true;
                // Catch up after (re)connecting: notifications sent while this node was away are gone, the log is not.
                await RefreshAsync(notified: true, stopping);
                while (true)
                {
                    var notified = await connection.WaitAsync(_pollInterval, stopping);
                    await RefreshAsync(notified, stopping);
                }
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is NpgsqlException or IOException or TimeoutException or InvalidOperationException)
            {
                _reachable = false;
                try
                {
                    await Task.Delay(_pollInterval, stopping);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    public ValueTask DisposeAsync()
    {
        _applyGate.Dispose();
        return ValueTask.CompletedTask;
    }

    private async ValueTask RefreshAsync(bool notified, CancellationToken cancellationToken)
    {
        await _applyGate.WaitAsync(cancellationToken);
        try
        {
            // Polling asks only for the revision; the log is read when it moved.
            var databaseRevision = await _store.GetRevisionAsync(cancellationToken);
            Volatile.Write(ref _databaseRevision, databaseRevision);
            if (databaseRevision > _applied)
                await ApplyLogAsync(cancellationToken);
            else if (notified)
                _sink.Apply(ChangeSet.Empty(_applied)); // a refused attempt was recorded: followers of the trail look again
        }
        finally
        {
            _applyGate.Release();
        }
    }

    // Under the gate.
    private async ValueTask ApplyLogAsync(CancellationToken cancellationToken)
    {
        var changes = await _store.ReadChangesAsync(_applied, cancellationToken);
        if (changes.Revision > _applied)
            Publish(changes);
    }

    // Under the gate.
    private void Publish(ChangeSet changes)
    {
        _sink.Apply(changes);
        Volatile.Write(ref _applied, changes.Revision);
    }
}
