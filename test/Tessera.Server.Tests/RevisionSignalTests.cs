using Tessera.Server.Audit;
using Tessera.Storage;

namespace Tessera.Server.Tests;

/// <summary>What a consistency token waits on: the node's applied revision.</summary>
public class RevisionSignalTests
{
    [Fact]
    public async Task WaitFor_ReturnsOnceTheRevisionIsApplied_AndGivesUpAfterTheTimeout()
    {
        var signal = new RevisionSignal();
        signal.StartFrom(3);

        Assert.Equal(CatchUp.Applied, await signal.WaitForAsync(3, TimeSpan.Zero, CancellationToken.None));
        var waiting = signal.WaitForAsync(5, TimeSpan.FromSeconds(30), CancellationToken.None).AsTask();
        signal.Apply(ChangeSet.Empty(4));
        await Task.Delay(50);
        Assert.False(waiting.IsCompleted);
        signal.Apply(ChangeSet.Empty(5));
        Assert.Equal(CatchUp.Applied, await waiting);
        Assert.Equal(CatchUp.TimedOut, await signal.WaitForAsync(6, TimeSpan.FromMilliseconds(100), CancellationToken.None));
        Assert.Equal(5, signal.Applied);
    }

    [Fact]
    public async Task WaitFor_AnswersAtOnce_WhenEveryWaiterIsTaken()
    {
        var signal = new RevisionSignal(maxWaiters: 2);
        var waiting = Enumerable.Range(0, 2).Select(_ => signal.WaitForAsync(1, TimeSpan.FromSeconds(30), CancellationToken.None).AsTask()).ToList();

        Assert.Equal(CatchUp.TooManyWaiting, await signal.WaitForAsync(1, TimeSpan.FromSeconds(30), CancellationToken.None));
        signal.Apply(ChangeSet.Empty(1));
        Assert.All(await Task.WhenAll(waiting), result => Assert.Equal(CatchUp.Applied, result));
        // The waiters are free again.
        Assert.Equal(CatchUp.TimedOut, await signal.WaitForAsync(2, TimeSpan.FromMilliseconds(50), CancellationToken.None));
    }
}
