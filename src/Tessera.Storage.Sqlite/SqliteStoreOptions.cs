namespace Tessera.Storage.Sqlite;

public sealed class SqliteStoreOptions
{
    /// <summary>The directory that holds <c>tessera.db</c>; created when missing.</summary>
    public required string DataDirectory { get; init; }

    public string DatabasePath => Path.Combine(DataDirectory, "tessera.db");
}
