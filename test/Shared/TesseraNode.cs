using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Tessera.Tests;

/// <summary>
/// A real Tessera server process on a free loopback port: the <c>Tessera.Server.dll</c> beside the running assembly,
/// or the one given (the cluster benchmarks run it from the server's own build output).
/// </summary>
public sealed partial class TesseraNode : IAsyncDisposable
{
    private readonly Process _process;
    private readonly System.Text.StringBuilder _output = new();

    private TesseraNode(Process process) => _process = process;

    public Uri Url { get; private set; } = null!;

    public int ProcessId => _process.Id;

    public string Output
    {
        get
        {
            lock (_output)
                return _output.ToString();
        }
    }

    public static Task<TesseraNode> StartAsync(IReadOnlyDictionary<string, string> environment, params string[] arguments) =>
        StartAsync(Path.Combine(AppContext.BaseDirectory, "Tessera.Server.dll"), environment, arguments);

    public static async Task<TesseraNode> StartAsync(string serverDll, IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(serverDll);
        foreach (var argument in (string[])["--urls", "http://127.0.0.1:0", .. arguments])
            start.ArgumentList.Add(argument);
        foreach (var (name, value) in environment)
            start.Environment[name] = value;

        var node = new TesseraNode(Process.Start(start)!);
        var listening = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnLine(object? _, DataReceivedEventArgs e)
        {
            lock (node._output)
                node._output.AppendLine(e.Data);
            if (e.Data is not null && ListeningOn().Match(e.Data) is { Success: true } match)
                listening.TrySetResult(new Uri(match.Groups[1].Value));
        }
        node._process.OutputDataReceived += OnLine;
        node._process.ErrorDataReceived += OnLine;
        node._process.BeginOutputReadLine();
        node._process.BeginErrorReadLine();
        node._process.EnableRaisingEvents = true;
        node._process.Exited += (_, _) => listening.TrySetException(new InvalidOperationException($"Tessera exited early:\n{node.Output}"));
        node.Url = await listening.Task.WaitAsync(TimeSpan.FromSeconds(60));
        return node;
    }

    /// <summary>A client signed in with <paramref name="apiKey"/>.</summary>
    public async Task<HttpClient> ClientAsync(string apiKey)
    {
        var client = new HttpClient { BaseAddress = Url };
        using var response = await client.PostAsync(new Uri("/identity/token", UriKind.Relative), new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "urn:ibm:params:oauth:grant-type:apikey",
            ["apikey"] = apiKey,
        }));
        response.EnsureSuccessStatusCode();
        var token = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("access_token").GetString();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary>Ends the process at once, as a crash would (SIGKILL): no shutdown, no flush.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
            _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    public ValueTask DisposeAsync()
    {
        Kill();
        _process.Dispose();
        return ValueTask.CompletedTask;
    }

    [GeneratedRegex(@"Now listening on: (https?://127\.0\.0\.1:\d+)")]
    private static partial Regex ListeningOn();
}
