namespace Tessera.Storage.Postgres;

public sealed class PostgresStoreOptions
{
    /// <summary>An Npgsql connection string (<c>Host=…;Database=…;Username=…;Password=…</c>).</summary>
    public required string ConnectionString { get; init; }

    /// <summary>How often a node asks for the revision when no notification arrives (the fallback to LISTEN/NOTIFY).</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);
}
