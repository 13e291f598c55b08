using System.Net.Http.Json;
using System.Text.Json;
using Tessera.Tests;

namespace Tessera.Cli.Tests;

/// <summary>
/// A real Tessera server process over a fresh SQLite directory, with a known operator key, shared by a test class; each
/// test gets a <see cref="Cli"/> with its own config directory and may make its own account (<see cref="NewAccountAsync"/>)
/// so that tests do not see each other's authorizations.
/// </summary>
public class CliServer : IAsyncLifetime
{
    public const string OperatorKey = "cli-tests-operator-key-0123456789abcdef";

    private readonly string _root = Directory.CreateTempSubdirectory("tessera-cli-").FullName;
    private TesseraNode? _node;
    private int _accounts;

    public Uri Url => _node!.Url;

    public string OperatorAccountId { get; private set; } = "";

    /// <summary>Extra server settings, for a fixture that needs them (a short token lifetime).</summary>
    protected virtual IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>();

    public async Task InitializeAsync()
    {
        _node = await TesseraNode.StartAsync(new Dictionary<string, string>(Settings) { ["TESSERA_BOOTSTRAP_APIKEY"] = OperatorKey },
            "--data-dir", Path.Combine(_root, "data"));
        using var client = await _node.ClientAsync(OperatorKey);
        OperatorAccountId = Tessera.Client.TesseraClient.ReadIdentity(client.DefaultRequestHeaders.Authorization!.Parameter!).AccountId;
    }

    public Cli NewCli(IReadOnlyDictionary<string, string>? environment = null) =>
        new(Directory.CreateDirectory(Path.Combine(_root, "config-" + Guid.NewGuid().ToString("N"))).FullName, environment);

    /// <summary>A new account (made by the operator through the API); its owner's API key and id.</summary>
    public async Task<(string AccountId, string OwnerKey)> NewAccountAsync()
    {
        using var client = await _node!.ClientAsync(OperatorKey);
        var number = Interlocked.Increment(ref _accounts);
        using var response = await client.PostAsJsonAsync("/v2/accounts", new { name = $"acme-{number}", owner_email = $"owner-{number}@acme.test" });
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return (body.GetProperty("account_id").GetString()!, body.GetProperty("apikey").GetProperty("apikey").GetString()!);
    }

    /// <summary>A signed-in HttpClient, to check through the API what a command did.</summary>
    public Task<HttpClient> ApiAsync(string apiKey) => _node!.ClientAsync(apiKey);

    public string ServerOutput => _node?.Output ?? "";

    public async Task DisposeAsync()
    {
        if (_node is not null)
            await _node.DisposeAsync();
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // The killed server may still hold a file for a moment; the directory is a temporary one.
        }
    }
}

/// <summary>A server whose tokens live two seconds, to see the CLI exchange its key again.</summary>
public sealed class ShortTokenServer : CliServer
{
    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string> { ["TESSERA_TOKEN_LIFETIME_SECONDS"] = "2" };
}
