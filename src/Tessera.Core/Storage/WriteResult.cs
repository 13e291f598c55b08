namespace Tessera.Storage;

/// <summary>
/// The outcome of a write: on <see cref="WriteStatus.Ok"/> the stored entity, on a conflict what it conflicts with, on
/// <see cref="WriteStatus.InvalidReference"/> a <paramref name="Problem"/> that names what is missing, and the field
/// that names it (<paramref name="ProblemField"/>: <c>resource.serviceInstance</c>, <c>subject.iam_id</c>).
/// </summary>
public sealed record WriteResult<T>(WriteStatus Status, T? Value, string? Problem = null, string? ProblemField = null)
    where T : class;

public static class WriteResult
{
    public static WriteResult<T> Ok<T>(T value) where T : class => new(WriteStatus.Ok, value);

    /// <summary>A write that changed nothing, for a reason that carries no entity (not found, stale, not empty).</summary>
    public static WriteResult<T> Refused<T>(WriteStatus status) where T : class => new(status, null);
}

/// <summary>A write of many items in one transaction: every item written, or the first that failed (at <see cref="FailedAt"/>) and none.</summary>
public sealed record BatchWriteResult<T>(IReadOnlyList<T> Written, int FailedAt = -1, WriteResult<T>? Failure = null)
    where T : class
{
    public bool Succeeded => Failure is null;
}
