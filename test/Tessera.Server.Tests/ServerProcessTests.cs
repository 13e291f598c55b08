using System.Diagnostics;

namespace Tessera.Server.Tests;

/// <summary>The real server binary, started as an operator would start it.</summary>
public sealed class ServerProcessTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "tessera-process-" + Guid.NewGuid().ToString("N"));

    public ServerProcessTests() => Directory.CreateDirectory(_directory);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task BrokenCatalog_StopsStartUpSayingWhatIsWrong()
    {
        var catalog = Path.Combine(_directory, "catalog.json");
        await File.WriteAllTextAsync(catalog, """{"services":[{"name":"kms","displayName":"KP","plans":[{"id":"p","name":"n"}],"roles":[{"name":"Reader","actions":[]}]}]}""");

        var (exitCode, output) = await RunAsync(["--catalog", catalog, "--data-dir", Path.Combine(_directory, "data")], stopAfter: null);

        Assert.Equal(2, exitCode);
        Assert.Contains("Tessera cannot start: the service catalog is invalid", output, StringComparison.Ordinal);
        Assert.Contains("kms", output, StringComparison.Ordinal);
        Assert.Contains("at least one action", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FirstStart_PrintsTheKeyOnceUsingTheDataDirFromTheEnvironment()
    {
        var dataDirectory = Path.Combine(_directory, "env-data");
        var environment = new Dictionary<string, string> { ["TESSERA_DATA_DIR"] = dataDirectory };

        var (_, first) = await RunAsync(["--urls", "http://127.0.0.1:0"], stopAfter: "Now listening on", environment);
        var (_, second) = await RunAsync(["--urls", "http://127.0.0.1:0"], stopAfter: "Now listening on", environment);

        Assert.Contains("shown only this once", first, StringComparison.Ordinal);
        Assert.DoesNotContain("shown only this once", second, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(dataDirectory, "tessera.db")));
    }

    [Fact]
    public async Task DotnetRun_ResolvesARelativeDataDirAgainstWhereItIsTyped()
    {
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "Tessera.slnx")))
            root = Path.GetDirectoryName(root)!;
#if DEBUG
        const string Configuration = "Debug";
#else
        const string Configuration = "Release";
#endif
        string[] run = ["run", "--project", Path.Combine(root, "src", "Tessera.Server"), "-c", Configuration, "--no-build", "--",
            "--data-dir", "./data", "--urls", "http://127.0.0.1:0"];

        var (_, output) = await RunAsync(run, stopAfter: "Now listening on", workingDirectory: _directory, withServer: false);

        Assert.True(File.Exists(Path.Combine(_directory, "data", "tessera.db")), output);
        Assert.False(Directory.Exists(Path.Combine(root, "src", "Tessera.Server", "data")));
    }

    /// <summary>Runs <c>dotnet</c> with the server's DLL (unless <paramref name="withServer"/> is false) and the arguments.</summary>
    private static async Task<(int ExitCode, string Output)> RunAsync(string[] arguments, string? stopAfter, Dictionary<string, string>? environment = null,
        string? workingDirectory = null, bool withServer = true)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = workingDirectory ?? string.Empty };
        if (withServer)
            start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Tessera.Server.dll"));
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        foreach (var (name, value) in environment ?? [])
            start.Environment[name] = value;

        using var process = Process.Start(start)!;
        var output = new System.Text.StringBuilder();
        var ready = new TaskCompletionSource();
        void OnLine(object? _, DataReceivedEventArgs e)
        {
            lock (output)
                output.AppendLine(e.Data);
            if (stopAfter is not null && e.Data?.Contains(stopAfter, StringComparison.Ordinal) == true)
                ready.TrySetResult();
        }
        process.OutputDataReceived += OnLine;
        process.ErrorDataReceived += OnLine;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        if (stopAfter is not null)
        {
            await ready.Task.WaitAsync(timeout.Token);
            process.Kill(entireProcessTree: true);
        }
        await process.WaitForExitAsync(timeout.Token);
        lock (output)
            return (process.ExitCode, output.ToString());
    }
}
