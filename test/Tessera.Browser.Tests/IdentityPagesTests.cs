using System.Net;
using Microsoft.Playwright;

namespace Tessera.Browser.Tests;

/// <summary>Service IDs and API keys: a new key is shown once and works; deletions say what goes with them (R7) first.</summary>
[Collection(Browser.Collection)]
public sealed class IdentityPagesTests(Browser browser)
{
    [Fact]
    public async Task AServiceIdsNewKey_IsShownOnce_AndWorks_AndDeletingTheServiceIdTakesItsKeysAndPolicies()
    {
        var tenant = await browser.NewAccountAsync();
        var (page, failures) = await browser.SignedInPageAsync(tenant.OwnerKey);
        await page.GotoAsync("/console/serviceids");

        await page.GetByLabel("Name").FillAsync("nightly-export");
        await page.GetByLabel("Description").FillAsync("copies the trail to storage");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Service ID nightly-export created.");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "nightly-export", Level = 1 })).ToBeVisibleAsync();

        await page.GetByLabel("Name").FillAsync("ci");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create" }).ClickAsync();
        var secret = await page.Locator("#new-key-value").InnerTextAsync();
        Assert.Matches("^[A-Za-z0-9_-]{20,}$", secret);
        await Browser.ScreenshotAsync(page, "console-new-api-key");
        using (var asServiceId = await browser.ApiAsync(secret))
        {
            // The key signs in to the API.
        }
        // Shown once: not on the page again (opened anew, not posted again), not in its address.
        await page.GotoAsync(page.Url);
        Assert.DoesNotContain(secret, await page.ContentAsync(), StringComparison.Ordinal);
        Assert.DoesNotContain(secret, page.Url, StringComparison.Ordinal);
        await Assertions.Expect(page.Locator("table.data td[data-label=Name]")).ToHaveTextAsync(["ci"]);

        // A key deleted from the service ID's page, after its confirmation; the page stays the service ID's.
        await page.GetByLabel("Name").FillAsync("temporary");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create" }).ClickAsync();
        await page.GotoAsync(page.Url);
        await page.GetByRole(AriaRole.Link, new() { Name = "Delete the key temporary" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Delete API key" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("API key temporary deleted.");
        await Assertions.Expect(page.Locator("table.data td[data-label=Name]")).ToHaveTextAsync(["ci"]);

        var serviceIdId = page.Url[(page.Url.LastIndexOf('/') + 1)..];
        var iamId = (await tenant.GetAsync($"/v1/serviceids/{serviceIdId}")).GetProperty("iam_id").GetString()!;
        var granted = await tenant.PostAsync("/v2/policies", new
        {
            type = "access",
            subject = new { attributes = new[] { new { key = "iam_id", @operator = "stringEquals", value = iamId } } },
            resource = new { attributes = new[]
            {
                new { key = "accountId", @operator = "stringEquals", value = tenant.AccountId },
                new { key = "serviceName", @operator = "stringEquals", value = "cloud-object-storage" },
            } },
            control = new { grant = new { roles = new[] { new { role_id = "crn:v1:bluemix:public:iam::::serviceRole:Writer" } } } },
        });
        await page.GetByRole(AriaRole.Link, new() { Name = "Delete service ID" }).ClickAsync();
        var consequence = page.Locator("#consequence");
        await Assertions.Expect(consequence).ToContainTextAsync("Its 1 API key goes with it");
        await Assertions.Expect(consequence.Locator("td[data-label=ID]")).ToHaveTextAsync([granted.GetProperty("id").GetString()!]);
        await Assertions.Expect(consequence.Locator("td[data-label='Source or subject']")).ToContainTextAsync("nightly-export");
        await page.GetByRole(AriaRole.Button, new() { Name = "Delete service ID" }).ClickAsync();

        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Service ID nightly-export deleted");
        Assert.Equal(HttpStatusCode.NotFound, await tenant.StatusAsync($"/v1/serviceids/{serviceIdId}"));
        Assert.Equal("deleted", (await tenant.GetAsync($"/v2/policies/{granted.GetProperty("id").GetString()}")).GetProperty("state").GetString());
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => browser.ApiAsync(secret));
        Assert.Empty(failures);
    }

    [Fact]
    public async Task MyApiKeys_ShowsTheSessionsKey_CreatesOneShownOnce_AndDeletesOneAfterAConfirmation()
    {
        var tenant = await browser.NewAccountAsync();
        var (page, _) = await browser.SignedInPageAsync(tenant.OwnerKey);
        await page.GetByRole(AriaRole.Link, new() { Name = "API keys" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "My API keys" })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("table.data td[data-label=Name]")).ToContainTextAsync(["(this session)"]);

        await page.GetByLabel("Name").FillAsync("laptop");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create" }).ClickAsync();
        var secret = await page.Locator("#new-key-value").InnerTextAsync();
        using (await browser.ApiAsync(secret))
        {
        }

        await page.GetByRole(AriaRole.Link, new() { Name = "Delete the key laptop" }).ClickAsync();
        await Assertions.Expect(page.Locator("#key-consequence")).ToContainTextAsync("Delete the API key laptop?");
        await page.GetByRole(AriaRole.Button, new() { Name = "Delete API key" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("API key laptop deleted.");
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => browser.ApiAsync(secret));
        // The session goes on: its own key was not the one deleted.
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Sign out" })).ToBeVisibleAsync();
    }
}
