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

    [Fact]
    public async Task BackupWhileRunning_ThenRestore_BringsBackWhatTheBackupHeld()
    {
        var live = Path.Combine(_directory, "live");
        var backup = Path.Combine(_directory, "backup.db");
        string serviceId;
        await using (var node = await Tessera.Tests.TesseraNode.StartAsync(new Dictionary<string, string> { ["TESSERA_BOOTSTRAP_APIKEY"] = OperatorKey }, "--data-dir", live))
        {
            using var owner = await node.ClientAsync(OperatorKey);
            serviceId = await CreateServiceIdAsync(owner, "kept-by-the-backup");
            var (backedUp, backupOutput) = await RunAsync(["backup", "--to", backup, "--data-dir", live], stopAfter: null);
            Assert.True(backedUp == 0, backupOutput);
            await CreateServiceIdAsync(owner, "made-after-the-backup");
        }

        var (restored, restoreOutput) = await RunAsync(["restore", "--from", backup, "--data-dir", live], stopAfter: null);

        Assert.True(restored == 0, restoreOutput);
        Assert.Contains("before-restore", restoreOutput, StringComparison.Ordinal);
        await using var again = await Tessera.Tests.TesseraNode.StartAsync(new Dictionary<string, string>(), "--data-dir", live);
        using var client = await again.ClientAsync(OperatorKey);
        var names = await client.GetStringAsync(new Uri($"/v1/serviceids?account_id={await AccountOfAsync(client)}", UriKind.Relative));
        Assert.Contains("kept-by-the-backup", names, StringComparison.Ordinal);
        Assert.DoesNotContain("made-after-the-backup", names, StringComparison.Ordinal);
        Assert.Contains(serviceId, names, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RecoverOperatorKey_MakesAKeyThatSignsIn_AndTheTrailSaysSo()
    {
        var data = Path.Combine(_directory, "lost-key");
        await using (await Tessera.Tests.TesseraNode.StartAsync(new Dictionary<string, string>(), "--data-dir", data))
        {
            // First start: the key it printed is "lost".
        }

        var (exitCode, output) = await RunAsync(["recover-operator-key", "--data-dir", data], stopAfter: null);

        Assert.True(exitCode == 0, output);
        var key = output.Split('\n', StringSplitOptions.TrimEntries)[1];
        await using var node = await Tessera.Tests.TesseraNode.StartAsync(new Dictionary<string, string>(), "--data-dir", data);
        using var owner = await node.ClientAsync(key);
        var account = await AccountOfAsync(owner);
        var trail = await owner.GetStringAsync(new Uri($"/v1/events?account_id={account}&action=iam-identity.apikey.create", UriKind.Relative));
        Assert.Contains("offline-recovery", trail, StringComparison.Ordinal);
        Assert.DoesNotContain(key, trail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithACertificate_ItServesHttps_AndTellsBrowsersToStayThere()
    {
        using var rsa = System.Security.Cryptography.RSA.Create(2048);
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=tessera.test", rsa,
            System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        var (certFile, keyFile) = (Path.Combine(_directory, "cert.pem"), Path.Combine(_directory, "key.pem"));
        await File.WriteAllTextAsync(certFile, certificate.ExportCertificatePem());
        await File.WriteAllTextAsync(keyFile, rsa.ExportPkcs8PrivateKeyPem());

        await using var node = await Tessera.Tests.TesseraNode.StartAsync(new Dictionary<string, string>(),
            "--data-dir", Path.Combine(_directory, "tls"), "--urls", "https://127.0.0.1:0", "--tls-cert", certFile, "--tls-key", keyFile);
        using var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, presented, _, _) => presented?.Thumbprint == certificate.Thumbprint };
        using var client = new HttpClient(handler) { BaseAddress = node.Url };
        using var health = new HttpRequestMessage(HttpMethod.Get, new Uri("/healthz", UriKind.Relative));
        health.Headers.Host = "tessera.test"; // HSTS is never sent to localhost names
        using var response = await client.SendAsync(health);

        Assert.Equal("https", node.Url.Scheme);
        Assert.Equal("ok", await response.Content.ReadAsStringAsync());
        Assert.StartsWith("max-age=", response.Headers.GetValues("Strict-Transport-Security").Single(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task KillingTheSqliteNodeDuringWrites_LosesNoAcknowledgedWriteNorItsEvent()
    {
        var data = Path.Combine(_directory, "killed");
        var acknowledged = new System.Collections.Concurrent.ConcurrentBag<string>();
        var node = await Tessera.Tests.TesseraNode.StartAsync(new Dictionary<string, string> { ["TESSERA_BOOTSTRAP_APIKEY"] = OperatorKey }, "--data-dir", data);
        using (var owner = await node.ClientAsync(OperatorKey))
        {
            var account = await AccountOfAsync(owner);
            using var stop = new CancellationTokenSource();
            var writers = Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
            {
                for (var i = 0; !stop.IsCancellationRequested; i++)
                {
                    try
                    {
                        using var response = await owner.PostAsync(new Uri("/v1/serviceids", UriKind.Relative),
                            new StringContent($$"""{"account_id":"{{account}}","name":"w{{w}}-{{i}}"}""", System.Text.Encoding.UTF8, "application/json"));
                        if (response.StatusCode == System.Net.HttpStatusCode.Created)
                            acknowledged.Add(System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!);
                    }
                    catch (HttpRequestException)
                    {
                        return; // the node is gone
                    }
                }
            })).ToArray();
            while (acknowledged.Count < 40)
                await Task.Delay(20);
            node.Kill(); // SIGKILL, mid-write
            await stop.CancelAsync();
            await Task.WhenAll(writers);
        }
        await node.DisposeAsync();

        await using var again = await Tessera.Tests.TesseraNode.StartAsync(new Dictionary<string, string>(), "--data-dir", data);
        using var client = await again.ClientAsync(OperatorKey);
        var accountId = await AccountOfAsync(client);
        var trail = await client.GetStringAsync(new Uri($"/v1/events?account_id={accountId}&action=iam-identity.serviceid.create&limit=1000", UriKind.Relative));
        foreach (var id in acknowledged)
        {
            using var found = await client.GetAsync(new Uri($"/v1/serviceids/{id}", UriKind.Relative));
            Assert.Equal(System.Net.HttpStatusCode.OK, found.StatusCode);
            Assert.Contains(id, trail, StringComparison.Ordinal);
        }
    }

    private const string OperatorKey = "process-operator-key-0123456789abcdefghijklm";

    private static async Task<string> AccountOfAsync(HttpClient client)
    {
        using var groups = System.Text.Json.JsonDocument.Parse(await client.GetStringAsync(new Uri("/v2/resource_groups", UriKind.Relative)));
        return groups.RootElement.GetProperty("resources")[0].GetProperty("account_id").GetString()!;
    }

    private static async Task<string> CreateServiceIdAsync(HttpClient owner, string name)
    {
        var account = await AccountOfAsync(owner);
        using var response = await owner.PostAsync(new Uri("/v1/serviceids", UriKind.Relative),
            new StringContent($$"""{"account_id":"{{account}}","name":"{{name}}"}""", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(System.Net.HttpStatusCode.Created, response.StatusCode);
        return System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;
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
