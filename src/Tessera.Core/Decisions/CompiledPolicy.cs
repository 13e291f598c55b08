namespace Tessera.Decisions;

/// <summary>
/// A policy as the decision index holds it: its constraints and actions, for verifying a match, explanations and
/// searches. When it is visible is kept in its <see cref="PolicyRecord"/>, the one place a check reads.
/// </summary>
internal sealed class CompiledPolicy(
    string id, string accountId, (string Account, string Service, string? Instance) target,
    Constraint[] subject, Constraint[] resource, Constraint[] checks, ActionSet actions, TimeRule? rule)
{
    public string Id { get; } = id;
    public string AccountId { get; } = accountId;
    /// <summary>The bucket the policy lives in.</summary>
    public (string Account, string Service, string? Instance) Target { get; } = target;
    public Constraint[] Subject { get; } = subject;
    /// <summary>Every resource constraint (for explanations and searches).</summary>
    public Constraint[] Resource { get; } = resource;
    /// <summary>
    /// What a check compares, in one array: the resource constraints the policy's bucket does not already guarantee
    /// (account, service, instance), then the subject's.
    /// </summary>
    public Constraint[] Checks { get; } = checks;
    public ActionSet Actions { get; } = actions;
    /// <summary>When the policy grants (a v2 rule); null when it always does, which costs a permit one null check.</summary>
    public TimeRule? Rule { get; } = rule;

    // Permits since they were last taken, and when the last one was (Environment.TickCount64): counted on the hot path
    // without a lock or an allocation, taken off it (DecisionIndex.TakePermits) and written to the store in batches.
    private long _permits;
    private long _lastPermitTick;

    public void NotePermit()
    {
        Interlocked.Increment(ref _permits);
        var now = Environment.TickCount64;
        // Written only when the millisecond moved: at high rates most permits then leave this word alone.
        if (Volatile.Read(ref _lastPermitTick) != now)
            Volatile.Write(ref _lastPermitTick, now);
    }

    /// <summary>The permits counted since the last take, and the tick of the latest; zero when there were none.</summary>
    public PermitTally TakePermits() => Interlocked.Exchange(ref _permits, 0) is var count and > 0
        ? new PermitTally(Id, count, Volatile.Read(ref _lastPermitTick))
        : default;

    /// <summary>
    /// The same policy in a new object with its own copy of the id, allocated now: a load compiles policies as they
    /// arrive, then copies each next to its bucket's records, so that a permit reads its policy and id from memory near
    /// the records it just scanned instead of from wherever the policy happened to arrive.
    /// </summary>
    public CompiledPolicy CopyNearby() => new(new string(Id.AsSpan()), AccountId, Target, Subject, Resource, Checks, Actions, Rule);
}
