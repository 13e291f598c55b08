using Tessera.Management;
using Tessera.Storage;

namespace Tessera.Server.Hosting;

/// <summary>
/// What an operator runs on the machine instead of the server, with the same <c>--data-dir</c> / <c>--postgres</c>:
/// <list type="bullet">
/// <item><c>backup --to FILE</c>: a consistent copy of the SQLite store while Tessera runs (PostgreSQL: <c>pg_dump</c>);</item>
/// <item><c>restore --from FILE</c>: puts a backup in place of the SQLite store, keeping the old file beside it (Tessera stopped);</item>
/// <item><c>recover-operator-key</c>: a new API key for the operator account's owner, printed once, when every key is lost.</item>
/// </list>
/// </summary>
internal static class OperatorCommands
{
    public static bool IsCommand(string[] args) => args is ["backup" or "restore" or "recover-operator-key", ..];

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        var configuration = new ConfigurationBuilder().AddEnvironmentVariables().AddCommandLine(args[1..]).Build();
        var options = TesseraOptions.FromConfiguration(configuration);
        try
        {
            return args[0] switch
            {
                "backup" => await BackupAsync(options, configuration["to"], output, error),
                "restore" => await RestoreAsync(options, configuration["from"], output, error),
                _ => await RecoverOperatorKeyAsync(options, output, error),
            };
        }
        catch (Exception ex) when (ex is StoreUnavailableException or IOException or UnauthorizedAccessException)
        {
            await error.WriteLineAsync($"tessera {args[0]}: {ex.Message}");
            return 1;
        }
    }

    private static async Task<int> BackupAsync(TesseraOptions options, string? to, TextWriter output, TextWriter error)
    {
        if (to is null)
            return await UsageAsync(error, "backup --to FILE [--data-dir DIR]");
        await using var services = Store(options);
        if (services.GetService<IOnlineBackup>() is not { } backup)
            return await PostgresAsync(error, "pg_dump -Fc");
        await services.GetRequiredService<ITesseraStore>().MigrateAsync(CancellationToken.None);
        await backup.BackupToAsync(Path.GetFullPath(to), CancellationToken.None);
        await output.WriteLineAsync($"Backed up {options.DataDirectory} to {Path.GetFullPath(to)}. It holds the token-signing key and API-key hashes: keep it like a secret.");
        return 0;
    }

    private static async Task<int> RestoreAsync(TesseraOptions options, string? from, TextWriter output, TextWriter error)
    {
        if (from is null)
            return await UsageAsync(error, "restore --from FILE [--data-dir DIR]   (with Tessera stopped)");
        if (options.PostgresConnectionString is not null)
            return await PostgresAsync(error, "pg_restore");
        await using var services = Store(options);
        var kept = await services.GetRequiredService<IOnlineBackup>().RestoreFromAsync(Path.GetFullPath(from), CancellationToken.None);
        await output.WriteLineAsync($"Restored {from} into {options.DataDirectory}{(kept is null ? string.Empty : $"; the store it replaced is kept as {kept}")}. Start Tessera.");
        return 0;
    }

    private static async Task<int> RecoverOperatorKeyAsync(TesseraOptions options, TextWriter output, TextWriter error)
    {
        await using var services = Store(options);
        var store = services.GetRequiredService<ITesseraStore>();
        await store.MigrateAsync(CancellationToken.None);
        if (await new OperatorKeyRecovery(store, TimeProvider.System).RecoverAsync(Environment.MachineName, CancellationToken.None) is not { } recovered)
        {
            await error.WriteLineAsync("tessera recover-operator-key: the store has no operator account yet; start Tessera once to make it.");
            return 1;
        }
        await output.WriteLineAsync($"A new API key for the operator account {recovered.AccountId}'s owner {recovered.OwnerIamId} (shown only this once):");
        await output.WriteLineAsync(recovered.Secret);
        await output.WriteLineAsync("The operator account's trail records the recovery. Delete the lost keys once you are signed in again.");
        return 0;
    }

    private static ServiceProvider Store(TesseraOptions options)
    {
        var services = new ServiceCollection();
        // Nothing in memory follows the store here: its commits go nowhere.
        services.AddTesseraStore(options, _ => new ChangeFanout());
        return services.BuildServiceProvider();
    }

    private static async Task<int> UsageAsync(TextWriter error, string usage)
    {
        await error.WriteLineAsync($"usage: Tessera.Server {usage}");
        return 2;
    }

    private static async Task<int> PostgresAsync(TextWriter error, string tool)
    {
        await error.WriteLineAsync($"This store is PostgreSQL: use {tool} (see docs/operations.md, Backups).");
        return 2;
    }
}
