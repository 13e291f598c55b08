namespace Tessera.Storage;

/// <summary>
/// A store that can copy itself, consistently, while it serves: the embedded SQLite store (SQLite's online backup).
/// A PostgreSQL deployment is backed up with PostgreSQL's own tools instead (docs/operations.md).
/// </summary>
public interface IOnlineBackup
{
    /// <summary>Writes a consistent copy of the whole store to a new file at <paramref name="path"/>.</summary>
    ValueTask BackupToAsync(string path, CancellationToken cancellationToken);

    /// <summary>
    /// Replaces the store with the backup at <paramref name="path"/>, keeping the replaced file beside it; returns that
    /// file's path (null when there was none). Only while no server uses the store.
    /// </summary>
    ValueTask<string?> RestoreFromAsync(string path, CancellationToken cancellationToken);
}
