namespace Tessera.Storage;

/// <summary>
/// A page of an account's audit events, oldest first, after the event with sequence <see cref="AfterSequence"/>; or,
/// with <see cref="NewestBefore"/>, newest first, before that sequence (as a person reads a trail).
/// </summary>
public sealed record EventQuery
{
    public required string AccountId { get; init; }
    public string? Action { get; init; }
    public string? TargetId { get; init; }
    public DateTimeOffset? From { get; init; }
    public DateTimeOffset? To { get; init; }
    public long AfterSequence { get; init; }
    public int Limit { get; init; } = 100;
    /// <summary>Newest first, from before this sequence (<see cref="long.MaxValue"/> for the latest events).</summary>
    public long? NewestBefore { get; init; }
}
