using Tessera.Decisions;
using Tessera.Server.Audit;
using Tessera.Storage;
using Tessera.Storage.Postgres;
using Tessera.Storage.Sqlite;

namespace Tessera.Server.Hosting;

/// <summary>Chooses the store: PostgreSQL when a connection string is given (several nodes), SQLite in the data directory otherwise.</summary>
internal static class StoreRegistration
{
    public static IServiceCollection AddTesseraStore(this IServiceCollection services, TesseraOptions options)
    {
        // The decision index and the directory follow the store in commit order; then followers of the trail are woken.
        static ChangeFanout Views(IServiceProvider provider) => new(
            provider.GetRequiredService<DecisionIndex>(), provider.GetRequiredService<ResourceDirectory>(), provider.GetRequiredService<RevisionSignal>());

        if (options.PostgresConnectionString is { } connectionString)
        {
            services.AddSingleton(provider => new PostgresStore(new PostgresStoreOptions { ConnectionString = connectionString }, Views(provider)));
            services.AddSingleton<ITesseraStore>(provider => provider.GetRequiredService<PostgresStore>());
            services.AddHostedService<ChangeLogFollowing>();
        }
        else
        {
            services.AddSingleton(provider => new SqliteStore(new SqliteStoreOptions { DataDirectory = options.DataDirectory }, Views(provider)));
            services.AddSingleton<ITesseraStore>(provider => provider.GetRequiredService<SqliteStore>());
        }
        return services;
    }

    /// <summary>Runs the node's change-log follower for as long as the node runs.</summary>
    private sealed class ChangeLogFollowing(PostgresStore store) : BackgroundService
    {
        protected override Task ExecuteAsync(CancellationToken stoppingToken) => store.Follower.RunAsync(stoppingToken);
    }
}
