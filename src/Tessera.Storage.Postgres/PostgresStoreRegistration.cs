using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Tessera.Storage.Postgres;

public static class PostgresStoreRegistration
{
    /// <summary>
    /// The store for several nodes, over <paramref name="connectionString"/>. Its change-log follower runs for as long
    /// as the host does and feeds <paramref name="changes"/> with what other nodes commit; it is the host's
    /// <see cref="IChangeFollower"/>.
    /// </summary>
    public static IServiceCollection AddPostgresStore(this IServiceCollection services, string connectionString, Func<IServiceProvider, IChangeSink> changes)
    {
        services.AddSingleton(provider => new PostgresStore(new PostgresStoreOptions { ConnectionString = connectionString }, changes(provider)));
        services.AddSingleton<ITesseraStore>(provider => provider.GetRequiredService<PostgresStore>());
        services.AddSingleton<IChangeFollower>(provider => provider.GetRequiredService<PostgresStore>().Follower);
        services.AddHostedService<ChangeLogFollowing>();
        return services;
    }

    /// <summary>Runs the node's change-log follower for as long as the node runs.</summary>
    private sealed class ChangeLogFollowing(PostgresStore store) : BackgroundService
    {
        protected override Task ExecuteAsync(CancellationToken stoppingToken) => store.Follower.RunAsync(stoppingToken);
    }
}
