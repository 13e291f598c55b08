using Tessera.Storage;

namespace Tessera.Server.Audit;

/// <summary>Wakes whoever waits for the next committed change (followers of the audit trail), without polling.</summary>
internal sealed class RevisionSignal : IChangeSink
{
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Apply(ChangeSet changes) =>
        Interlocked.Exchange(ref _next, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    /// <summary>Completes at the next commit. Take it before reading, so that a commit between the read and the wait is not missed.</summary>
    public Task Next => Volatile.Read(ref _next).Task;
}
