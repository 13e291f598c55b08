using System.Diagnostics;

namespace Tessera.Cli.Tests;

/// <summary>What one run of the <c>tessera</c> process did.</summary>
public sealed record CliResult(int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
}

/// <summary>
/// Runs the built <c>tessera</c> (the <c>tessera.dll</c> beside the tests, through <c>dotnet</c>, as <c>dotnet run</c> would)
/// as a process, with its own config directory so each test's session is its own, and whatever stdin the test gives.
/// </summary>
public sealed class Cli(string configDirectory, IReadOnlyDictionary<string, string>? environment = null)
{
    private static readonly string Dll = Path.Combine(AppContext.BaseDirectory, "tessera.dll");

    public string ConfigDirectory { get; } = configDirectory;

    public Task<CliResult> RunAsync(params string[] arguments) => RunCoreAsync(null, arguments);

    /// <summary>A run that reads <paramref name="stdin"/> (the answer to a question) and then end-of-input.</summary>
    public Task<CliResult> AnsweringAsync(string stdin, params string[] arguments) => RunCoreAsync(stdin, arguments);

    private async Task<CliResult> RunCoreAsync(string? stdin, string[] arguments, string? program = null)
    {
        using var process = Start(arguments, program);
        if (stdin is not null)
            await process.StandardInput.WriteAsync(stdin);
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await process.WaitForExitAsync(timeout.Token);
        return new CliResult(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Another program (script(1), a shell) with this CLI's environment, as when a person runs tessera inside it.</summary>
    public Task<CliResult> RunThroughAsync(string program, params string[] arguments) => RunCoreAsync(null, arguments, program);

    /// <summary>A run left going (<c>events --follow</c>), for the test to read and then stop.</summary>
    public Process Start(string[] arguments) => Start(arguments, null);

    private Process Start(string[] arguments, string? program)
    {
        var start = new ProcessStartInfo(program ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            // Closed once the test's answer (if any) is written: a prompt then meets end-of-input, as in a script.
            RedirectStandardInput = true,
        };
        if (program is null)
            start.ArgumentList.Add(Dll);
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        start.Environment["TESSERA_CONFIG_DIR"] = ConfigDirectory;
        start.Environment.Remove("TESSERA_URL");
        start.Environment.Remove("TESSERA_APIKEY");
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
            start.Environment[name] = value;
        return Process.Start(start)!;
    }
}
