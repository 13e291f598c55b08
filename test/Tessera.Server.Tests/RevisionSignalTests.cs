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

        Assert.True(await signal.WaitForAsync(3, TimeSpan.Zero, CancellationToken.None));
        var waiting = signal.WaitForAsync(5, TimeSpan.FromSeconds(30), CancellationToken.None).AsTask();
        signal.Apply(ChangeSet.Empty(4));
        await Task.Delay(50);
        Assert.False(waiting.IsCompleted);
        signal.Apply(ChangeSet.Empty(5));
        Assert.True(await waiting);
        Assert.False(await signal.WaitForAsync(6, TimeSpan.FromMilliseconds(100), CancellationToken.None));
        Assert.Equal(5, signal.Applied);
    }
}
