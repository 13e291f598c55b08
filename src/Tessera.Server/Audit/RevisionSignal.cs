using Tessera.Storage;

namespace Tessera.Server.Audit;

/// <summary>
/// The revision this node's views have applied, and a way to wait for a later one: followers of the audit trail wake on
/// each commit instead of polling, and a request that carries a consistency token waits until the node has caught up.
/// </summary>
internal sealed class RevisionSignal : IChangeSink
{
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _applied;

    /// <summary>The last revision applied on this node.</summary>
    public long Applied => Volatile.Read(ref _applied);

    /// <summary>Completes at the next commit. Take it before reading, so that a commit between the read and the wait is not missed.</summary>
    public Task Next => Volatile.Read(ref _next).Task;

    /// <summary>Where this node starts: the revision its views were loaded at.</summary>
    public void StartFrom(long revision) => Volatile.Write(ref _applied, revision);

    public void Apply(ChangeSet changes)
    {
        if (changes.Revision > Applied)
            Volatile.Write(ref _applied, changes.Revision);
        Interlocked.Exchange(ref _next, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
    }

    /// <summary>True once <paramref name="revision"/> is applied here; false if that takes longer than <paramref name="timeout"/>.</summary>
    public async ValueTask<bool> WaitForAsync(long revision, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (Applied >= revision)
            return true;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            while (true)
            {
                var next = Next;
                if (Applied >= revision)
                    return true;
                await next.WaitAsync(deadline.Token);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }
}
