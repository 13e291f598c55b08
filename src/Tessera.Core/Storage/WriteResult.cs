namespace Tessera.Storage;

/// <summary>
/// The outcome of a write: on <see cref="WriteStatus.Ok"/> the stored entity, on a conflict what it conflicts with, on
/// <see cref="WriteStatus.InvalidReference"/> a <paramref name="Problem"/> that names what is missing.
/// </summary>
public sealed record WriteResult<T>(WriteStatus Status, T? Value, string? Problem = null)
    where T : class;

public static class WriteResult
{
    public static WriteResult<T> Ok<T>(T value) where T : class => new(WriteStatus.Ok, value);

    /// <summary>A write that changed nothing, for a reason that carries no entity (not found, stale, not empty).</summary>
    public static WriteResult<T> Refused<T>(WriteStatus status) where T : class => new(status, null);
}
