namespace Tessera.Decisions;

/// <summary>
/// A policy as the decision index holds it. Visibility is versioned: it belongs to every index revision from
/// <see cref="VisibleFrom"/> up to, not including, <see cref="VisibleUntil"/>, so a write that touches several
/// places of the index becomes visible to readers all at once, when the index publishes its revision.
/// </summary>
internal sealed class CompiledPolicy(
    string id, string accountId, (string Account, string Service, string? Instance) target,
    Constraint[] subject, Constraint[] resource, Constraint[] checks, ActionSet actions, long visibleFrom)
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
    public long VisibleFrom { get; } = visibleFrom;

    // Written by the single index writer before it publishes the revision that ends this version; read by any thread.
    private long _visibleUntil = long.MaxValue;

    public long VisibleUntil => Volatile.Read(ref _visibleUntil);

    public bool IsVisibleAt(long revision) => VisibleFrom <= revision && revision < VisibleUntil;

    public void EndAt(long revision) => Volatile.Write(ref _visibleUntil, revision);
}
