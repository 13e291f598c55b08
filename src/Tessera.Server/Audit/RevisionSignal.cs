using Tessera.Storage;

namespace Tessera.Server.Audit;

/// <summary>
/// The revision this node's views have applied, and a way to wait for a later one: followers of the audit trail wake on
/// each commit instead of polling, and a request that carries a consistency token waits until the node has caught up.
/// </summary>
/// <param name="maxWaiters">How many may wait in <see cref="WaitForAsync"/> at once: a wait holds a request, so it is rationed.</param>
internal sealed class RevisionSignal(int maxWaiters = RevisionSignal.DefaultMaxWaiters) : IChangeSink
{
    public const int DefaultMaxWaiters = 256;
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _applied;
    private int _waiting;

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

    /// <summary>
    /// <see cref="CatchUp.Applied"/> once <paramref name="revision"/> is applied here; <see cref="CatchUp.TimedOut"/> if that
    /// takes longer than <paramref name="timeout"/>; <see cref="CatchUp.TooManyWaiting"/> at once when the waiters are all taken.
    /// </summary>
    public async ValueTask<CatchUp> WaitForAsync(long revision, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (Applied >= revision)
            return CatchUp.Applied;
        if (Interlocked.Increment(ref _waiting) > maxWaiters)
        {
            Interlocked.Decrement(ref _waiting);
            return CatchUp.TooManyWaiting;
        }
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            while (true)
            {
                var next = Next;
                if (Applied >= revision)
                    return CatchUp.Applied;
                await next.WaitAsync(deadline.Token);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return CatchUp.TimedOut;
        }
        finally
        {
            Interlocked.Decrement(ref _waiting);
        }
    }
}

internal enum CatchUp
{
    Applied,
    TimedOut,
    TooManyWaiting,
}
