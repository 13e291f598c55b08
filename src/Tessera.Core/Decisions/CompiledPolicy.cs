namespace Tessera.Decisions;

/// <summary>
/// A policy as the decision index holds it. Visibility is versioned: it belongs to every index revision from
/// <see cref="VisibleFrom"/> up to, not including, <see cref="VisibleUntil"/>, so a write that touches several
/// places of the index becomes visible to readers all at once, when the index publishes its revision.
/// </summary>
internal sealed class CompiledPolicy(string id, string accountId, Constraint[] subject, Constraint[] resource, ActionSet actions, long visibleFrom)
{
    public string Id { get; } = id;
    public string AccountId { get; } = accountId;
    public Constraint[] Subject { get; } = subject;
    public Constraint[] Resource { get; } = resource;
    public ActionSet Actions { get; } = actions;
    public long VisibleFrom { get; } = visibleFrom;

    // Written by the single index writer before it publishes the revision that removes the policy; read by any thread.
    private long _visibleUntil = long.MaxValue;
    private long _removedAtTicks;

    public long VisibleUntil => Volatile.Read(ref _visibleUntil);

    public long RemovedAtTicks => _removedAtTicks;

    public bool IsVisibleAt(long revision) => VisibleFrom <= revision && revision < VisibleUntil;

    public void RemoveAt(long revision, long nowTicks)
    {
        _removedAtTicks = nowTicks;
        Volatile.Write(ref _visibleUntil, revision);
    }
}
