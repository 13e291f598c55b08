using Microsoft.Playwright;
using Tessera.Tests;

namespace Tessera.Browser.Tests;

/// <summary>
/// A real Tessera server process and a real headless Chromium — Debian's (<c>/usr/bin/chromium</c>, which test.sh
/// installs), driven by Playwright — shared by a test class. Each test opens its own page.
/// </summary>
public sealed class Browser : IAsyncLifetime
{
    public const string OperatorKey = "browser-tests-operator-key-0123456789abcdef";

    private static readonly string[] ChromiumArguments =
        ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];

    private readonly string _root = Directory.CreateTempSubdirectory("tessera-browser-").FullName;
    private TesseraNode? _node;
    private IPlaywright? _playwright;
    private IBrowser? _chromium;

    public Uri Url => _node!.Url;

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

    /// <summary>A fresh page (its own cookies), which records every request it makes and every error it logs.</summary>
    public async Task<(IPage Page, List<string> Failures)> NewPageAsync()
    {
        var context = await _chromium!.NewContextAsync(new BrowserNewContextOptions { BaseURL = Url.ToString() });
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
