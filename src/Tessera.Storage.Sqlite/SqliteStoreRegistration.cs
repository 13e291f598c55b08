using Microsoft.Extensions.DependencyInjection;

namespace Tessera.Storage.Sqlite;

public static class SqliteStoreRegistration
{
    /// <summary>The embedded store: one SQLite file in <paramref name="dataDirectory"/>, whose commits reach <paramref name="changes"/>.</summary>
    public static IServiceCollection AddSqliteStore(this IServiceCollection services, string dataDirectory, Func<IServiceProvider, IChangeSink> changes)
    {
        services.AddSingleton(provider => new SqliteStore(new SqliteStoreOptions { DataDirectory = dataDirectory }, changes(provider)));
        services.AddSingleton<ITesseraStore>(provider => provider.GetRequiredService<SqliteStore>());
        services.AddSingleton<IOnlineBackup>(provider => provider.GetRequiredService<SqliteStore>());
        return services;
    }
}
