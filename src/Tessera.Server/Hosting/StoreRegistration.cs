using Tessera.Decisions;
using Tessera.Server.Audit;
using Tessera.Server.Identity;
using Tessera.Storage;
using Tessera.Storage.Postgres;
using Tessera.Storage.Sqlite;

namespace Tessera.Server.Hosting;

/// <summary>Chooses the store: PostgreSQL when a connection string is given (several nodes), SQLite in the data directory otherwise.</summary>
internal static class StoreRegistration
{
    /// <summary>The store, whose commits reach the server's in-memory views — or <paramref name="changes"/> (the offline commands).</summary>
    public static IServiceCollection AddTesseraStore(this IServiceCollection services, TesseraOptions options, Func<IServiceProvider, IChangeSink>? changes = null) =>
        options.PostgresConnectionString is { } connectionString
            ? services.AddPostgresStore(connectionString, changes ?? Views)
            : services.AddSqliteStore(options.DataDirectory, changes ?? Views);

    // The decision index, the directory and the token caches follow the store in commit order; then followers of the trail are woken.
    private static ChangeFanout Views(IServiceProvider provider) => new(
        provider.GetRequiredService<DecisionIndex>(), provider.GetRequiredService<ResourceDirectory>(), provider.GetRequiredService<VerifiedTokens>(),
        provider.GetRequiredService<TokenService>(), provider.GetRequiredService<RevisionSignal>());
}
