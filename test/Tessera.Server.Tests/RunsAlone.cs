namespace Tessera.Server.Tests;

/// <summary>
/// Tests that run alone, after the others: the fuzz test, whose eight workers keep both cores busy for most of a
/// minute, and the multi-node tests, which give a node a bounded time to catch up. Side by side with the rest of the
/// suite, the latter failed in CI for want of CPU, not of correctness.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RunsAlone
{
    public const string Name = "Heavy or timing-bound: alone";
}
