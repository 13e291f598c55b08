using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Tessera.Audit;
using Tessera.Security;
using Tessera.Storage;
using Tessera.Tests;

namespace Tessera.Server.Tests;

/// <summary>
/// A real Tessera driven through its HTTP pipeline, over a real SQLite file in a fresh directory — or, when
/// <c>TESSERA_TEST_STORE=postgres</c> (<c>./test.sh</c> runs the suite both ways), over a fresh PostgreSQL database.
/// The operator account is bootstrapped with a known API key; more accounts can be added through the store.
/// </summary>
public class TesseraApp : WebApplicationFactory<Program>
{
    public const string OperatorApiKey = "test-operator-key-0123456789abcdefghijklmnop";

    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "tessera-http-" + Guid.NewGuid().ToString("N"));
    private PostgresTestDatabase? _database;

    /// <summary>Whether this run of the suite is over PostgreSQL.</summary>
    public static bool OnPostgres => Environment.GetEnvironmentVariable("TESSERA_TEST_STORE") == "postgres";

    public ITesseraStore Store => Services.GetRequiredService<ITesseraStore>();

    /// <summary>Whether the rate limits are on: off for the suite, on (with the settings a subclass gives) for their own tests.</summary>
    protected virtual bool RateLimitsEnabled => false;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("data-dir", _dataDirectory);
        if (OnPostgres)
        {
            // The host is built synchronously; creating the database is a test set-up step, not request handling.
            _database = PostgresTestDatabase.CreateAsync().GetAwaiter().GetResult();
            builder.UseSetting("postgres", _database.ConnectionString);
        }
        builder.UseSetting("bootstrap-apikey", OperatorApiKey);
        builder.UseSetting("consistency-wait-ms", "2000");
        // The suite is one client at one address making tokens and writes far faster than any real caller: RateLimitTests
        // covers the limits with a fixture of its own.
        builder.UseSetting("RateLimits:Enabled", RateLimitsEnabled ? "true" : "false");
        builder.UseEnvironment("Testing");
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing && Directory.Exists(_dataDirectory))
            Directory.Delete(_dataDirectory, recursive: true);
        if (disposing)
            _database?.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    /// <summary>The operator account's id and an HTTP client signed in as its owner.</summary>
    public async Task<Tenant> OperatorAsync()
    {
        var owner = await Store.FindApiKeyByHashAsync(ApiKeySecrets.Hash(OperatorApiKey), CancellationToken.None);
        return new Tenant(owner!.Identity.AccountId, owner.Identity.IamId, OperatorApiKey, await ClientForKeyAsync(OperatorApiKey));
    }

    /// <summary>A second, unrelated account with its own owner.</summary>
    public async Task<Tenant> NewTenantAsync(string name)
    {
        var secret = ApiKeySecrets.NewSecret();
        var (account, auditEvent) = NewAccount.Create(name, $"owner@{name}.test", secret,
            new AuditInitiator("test", "test", "service/security/clientid", "token"), DateTimeOffset.UtcNow);
        await Store.CreateAccountAsync(account, auditEvent, CancellationToken.None);
        return new Tenant(account.Account.Id, account.Owner.IamId, secret, await ClientForKeyAsync(secret));
    }

    public async Task<string> TokenAsync(string apiKey)
    {
        using var client = CreateClient();
        using var response = await client.PostAsync(new Uri("/identity/token", UriKind.Relative), new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "urn:ibm:params:oauth:grant-type:apikey",
            ["apikey"] = apiKey,
            ["response_type"] = "cloud_iam",
        }));
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return body.GetProperty("access_token").GetString()!;
    }

    /// <summary>Waits until every refusal answered so far is in the trail: refusals are recorded after the answer.</summary>
    public Task RefusalsWrittenAsync() => Services.GetRequiredService<Tessera.Management.Refusals>().WhenWrittenAsync(CancellationToken.None);

    public async Task<HttpClient> ClientForKeyAsync(string apiKey)
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await TokenAsync(apiKey));
        return client;
    }
}

public sealed record Tenant(string AccountId, string OwnerIamId, string ApiKey, HttpClient Client);
