using Microsoft.Playwright;

namespace Tessera.Browser.Tests;

/// <summary><c>/docs</c>, the browsable API reference, as a person opens it: in a browser, with nothing from the internet.</summary>
[Collection(Browser.Collection)]
public sealed class ApiReferenceTests(Browser browser)
{
    [Fact]
    public async Task TheReference_RendersTheServersOwnDocument_WithNothingFromElsewhere()
    {
        var (page, failures) = await browser.NewPageAsync();

        await page.GotoAsync("/docs");
        try
        {
            // The first section is open: its first operation's summary, from the served document.
            await page.GetByRole(AriaRole.Heading, new() { Name = "Whether the process is up" }).WaitForAsync(new() { Timeout = 30_000 });
        }
        catch (TimeoutException)
        {
            await Browser.ScreenshotAsync(page, "api-reference-failed");
            Assert.Fail($"The reference did not render at {page.Url}:\n{string.Join('\n', failures)}");
        }

        Assert.StartsWith(browser.Url + "docs", page.Url, StringComparison.Ordinal);
        foreach (var section in (string[])["Policies", "Identity", "Resources", "Decisions (AuthZEN 1.0)", "Accounts and access groups"])
            Assert.True(await page.GetByText(section, new() { Exact = true }).First.IsVisibleAsync(), $"no {section} section");
        Assert.Empty(failures);
        await Browser.ScreenshotAsync(page, "api-reference");
    }
}
