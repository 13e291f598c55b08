using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using Tessera.Tests;

namespace Tessera.Browser.Tests;

/// <summary>
/// A real Tessera server process and a real headless Chromium — Debian's (<c>/usr/bin/chromium</c>, which test.sh
/// installs), driven by Playwright — shared by every browser test (one collection, run one test at a time). Each test
/// opens its own page, with its own cookies, and makes its own account so that tests do not see each other's work.
/// </summary>
public sealed class Browser : IAsyncLifetime
{
    public const string Collection = "browser";

    public const string OperatorKey = "browser-tests-operator-key-0123456789abcdef";

    private static readonly string[] ChromiumArguments =
        ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];

    private readonly string _root = Directory.CreateTempSubdirectory("tessera-browser-").FullName;
    private TesseraNode? _node;
    private IPlaywright? _playwright;
    private IBrowser? _chromium;
    private int _accounts;

    public Uri Url => _node!.Url;

    public string ServerOutput => _node?.Output ?? string.Empty;

    public async Task InitializeAsync()
    {
        _node = await TesseraNode.StartAsync(new Dictionary<string, string> { ["TESSERA_BOOTSTRAP_APIKEY"] = OperatorKey },
            "--data-dir", Path.Combine(_root, "data"));
        _playwright = await Playwright.CreateAsync();
        _chromium = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Environment.GetEnvironmentVariable("TESSERA_CHROMIUM") ?? "/usr/bin/chromium",
            Args = ChromiumArguments,
            Headless = true,
        });
    }

    /// <summary>A new account, made by the operator through the API, with a client signed in as its owner.</summary>
    public async Task<Tenant> NewAccountAsync()
    {
        using var operatorClient = await _node!.ClientAsync(OperatorKey);
        var number = Interlocked.Increment(ref _accounts);
        using var response = await operatorClient.PostAsJsonAsync("/v2/accounts", new { name = $"acme-{number}", owner_email = $"owner-{number}@acme.test" });
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        var ownerKey = body.GetProperty("apikey").GetProperty("apikey").GetString()!;
        return new Tenant(body.GetProperty("account_id").GetString()!, ownerKey, $"owner-{number}@acme.test", await _node.ClientAsync(ownerKey));
    }

    /// <summary>An HttpClient signed in with <paramref name="apiKey"/>, to set up and check through the API.</summary>
    public Task<HttpClient> ApiAsync(string apiKey) => _node!.ClientAsync(apiKey);

    /// <summary>A fresh page signed in to the console with <paramref name="apiKey"/>, through its sign-in form.</summary>
    public async Task<(IPage Page, List<string> Failures)> SignedInPageAsync(string apiKey, BrowserNewContextOptions? options = null)
    {
        var (page, failures) = await NewPageAsync(options);
        await page.GotoAsync("/console");
        await page.GetByLabel("API key").FillAsync(apiKey);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.WaitForURLAsync("**/console/authorizations");
        return (page, failures);
    }

    /// <summary>A fresh page (its own cookies), which records every request it makes and every error it logs.</summary>
    public async Task<(IPage Page, List<string> Failures)> NewPageAsync(BrowserNewContextOptions? options = null)
    {
        options ??= new BrowserNewContextOptions();
        options.BaseURL = Url.ToString();
        var context = await _chromium!.NewContextAsync(options);
        var page = await context.NewPageAsync();
        var failures = new List<string>();
        page.RequestFailed += (_, request) => failures.Add($"{request.Method} {request.Url}: {request.Failure}");
        page.Response += (_, response) =>
        {
            if (response.Status >= 400)
                failures.Add($"{response.Request.Method} {response.Url}: {response.Status}");
        };
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
                failures.Add($"console: {message.Text}");
        };
        return (page, failures);
    }

    /// <summary>Saves a screenshot where the test run keeps its artifacts (<c>TestResults/screenshots</c>).</summary>
    public static async Task ScreenshotAsync(IPage page, string name)
    {
        var directory = Path.Combine(AppContext.BaseDirectory, "TestResults", "screenshots");
        Directory.CreateDirectory(directory);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(directory, name + ".png"), FullPage = true });
    }

    public async Task DisposeAsync()
    {
        if (_chromium is not null)
            await _chromium.DisposeAsync();
        _playwright?.Dispose();
        if (_node is not null)
            await _node.DisposeAsync();
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // The killed server may hold a file a moment longer; the directory is a temporary one.
        }
    }
}
