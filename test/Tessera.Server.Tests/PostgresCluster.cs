using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Tessera.Server.Tests;

/// <summary>
/// A PostgreSQL cluster of a test's own (through <c>test/postgres.sh</c>), which the test may stop and start again —
/// a real outage, not a simulated one — without touching the server the other tests share.
/// </summary>
public sealed class PostgresCluster : IAsyncDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "tessera-pg-" + Guid.NewGuid().ToString("N"));
    private readonly int _port = FreePort();

    public string ConnectionString => $"Host=127.0.0.1;Port={_port};Username=tessera;Database=postgres";

    public static async Task<PostgresCluster> StartAsync()
    {
        var cluster = new PostgresCluster();
        await cluster.StartAgainAsync();
        return cluster;
    }

    public Task StartAgainAsync() => RunAsync("start", _directory, _port.ToString(System.Globalization.CultureInfo.InvariantCulture));

    public Task StopAsync() => RunAsync("stop", _directory);

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync();
        }
        catch (InvalidOperationException)
        {
            // already stopped
        }
        Directory.Delete(_directory, recursive: true);
    }

    private static async Task RunAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Script());
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var output = await process.StandardError.ReadToEndAsync() + await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"postgres.sh {string.Join(' ', arguments)} failed: {output}");
    }

    private static string Script()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var script = Path.Combine(directory.FullName, "test", "postgres.sh");
            if (File.Exists(script))
                return script;
        }
        throw new InvalidOperationException("test/postgres.sh was not found above " + AppContext.BaseDirectory);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
