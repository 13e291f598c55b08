using Microsoft.Playwright;

namespace Tessera.Browser.Tests;

/// <summary>The audit trail (R8) and "who can access this resource" (the decision API's subject search), in the console.</summary>
[Collection(Browser.Collection)]
public sealed class TrailAndAccessTests(Browser browser)
{
    [Fact]
    public async Task TheTrail_ShowsTheNewestChangeFirst_WithWhoMadeIt_AndFilters()
    {
        var tenant = await browser.NewAccountAsync();
        await tenant.CreateGroupAsync("first");
        var (page, _) = await browser.SignedInPageAsync(tenant.OwnerKey);
        await page.GotoAsync("/console/authorizations/create?source_service=atracker&target_service=cloud-object-storage&roles=Object%20Writer");
        await page.GetByRole(AriaRole.Button, new() { Name = "Authorize" }).ClickAsync();
        await Assertions.Expect(page.Locator("p.notice[role=status]")).ToContainTextAsync(" created.");

        await page.GetByRole(AriaRole.Link, new() { Name = "Audit trail" }).ClickAsync();
        var first = page.Locator("table.data tbody tr").First;
        await Assertions.Expect(first.Locator("td[data-label=Action]")).ToHaveTextAsync("iam-am.policy.create");
        await Assertions.Expect(first.Locator("td[data-label=Outcome]")).ToHaveTextAsync("success (201)");
        Assert.Contains("resource-controller.group.create", await page.Locator("td[data-label=Action]").AllInnerTextsAsync());
        await Browser.ScreenshotAsync(page, "console-audit-trail");

        await page.GetByLabel("Action").SelectOptionAsync("resource-controller.group.create");
        await page.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();
        Assert.All(await page.Locator("td[data-label=Action]").AllInnerTextsAsync(), a => Assert.Equal("resource-controller.group.create", a));
    }

    [Fact]
    public async Task WhoCanAccess_ListsTheSourcesThatMay_AndSaysWhenTheCallerMayNotAsk()
    {
        var tenant = await browser.NewAccountAsync();
        var archive = await tenant.CreateInstanceAsync("cloud-object-storage", "audit-archive");
        await tenant.AuthorizeAsync("atracker", "cloud-object-storage", "crn:v1:bluemix:public:cloud-object-storage::::serviceRole:ObjectWriter", archive.Guid);
        var (page, _) = await browser.SignedInPageAsync(tenant.OwnerKey);

        await page.GetByRole(AriaRole.Link, new() { Name = "Who can access" }).ClickAsync();
        await page.GetByLabel("Resource CRN").FillAsync(archive.Crn);
        await page.GetByLabel("Action").FillAsync("cloud-object-storage.object.put");
        await page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();

        var row = page.Locator("table.data tbody tr");
        await Assertions.Expect(row).ToHaveCountAsync(1);
        await Assertions.Expect(row.Locator("td[data-label=Who]")).ToHaveTextAsync("Activity Tracker Event Routing");
        await Assertions.Expect(row.Locator("td[data-label=Account]")).ToHaveTextAsync("This account");
        await Browser.ScreenshotAsync(page, "console-who-can-access");

        await page.GetByLabel("Action").FillAsync("cloud-object-storage.bucket.delete_bucket");
        await page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
        await Assertions.Expect(page.Locator(".empty")).ToContainTextAsync("No one may");

        await page.GetByLabel("Resource CRN").FillAsync("not-a-crn");
        await page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
        await Assertions.Expect(page.Locator("#resource-error")).ToContainTextAsync("That is not a CRN");

        // Another account's owner may not ask about this one's resources: the search shows policies.
        var stranger = await browser.NewAccountAsync();
        var (strangerPage, _) = await browser.SignedInPageAsync(stranger.OwnerKey);
        await strangerPage.GotoAsync($"/console/access?resource={Uri.EscapeDataString(archive.Crn)}&action=cloud-object-storage.object.put");
        await Assertions.Expect(strangerPage.Locator(".error-summary")).ToContainTextAsync("need iam.policy.read on the resource");
        Assert.Equal(0, await strangerPage.Locator("table.data").CountAsync());
    }
}
