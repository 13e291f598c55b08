using Microsoft.Playwright;

namespace Tessera.Browser.Tests;

/// <summary>Service instances and resource groups: created through their forms, and deleted with the cascade (R7) spelled out first.</summary>
[Collection(Browser.Collection)]
public sealed class ResourcePagesTests(Browser browser)
{
    private const string ObjectWriter = "crn:v1:bluemix:public:cloud-object-storage::::serviceRole:ObjectWriter";

    [Fact]
    public async Task AnInstance_IsCreatedThroughTheForm_AndItsDeletionListsThePoliciesThatGoWithIt()
    {
        var tenant = await browser.NewAccountAsync();
        var plan = (await tenant.GetAsync("/v1/catalog/services")).GetProperty("services").EnumerateArray()
            .First(s => s.GetProperty("name").GetString() == "cloud-object-storage").GetProperty("plans")[0].GetProperty("id").GetString()!;
        var (page, failures) = await browser.SignedInPageAsync(tenant.OwnerKey);
        await page.GotoAsync("/console/instances");

        // A missing name is said at the field, and nothing is created.
        await page.GetByLabel("Service and plan").SelectOptionAsync(plan);
        await page.GetByRole(AriaRole.Button, new() { Name = "Create" }).ClickAsync();
        await Assertions.Expect(page.Locator("#name-error")).ToHaveTextAsync("Error: Enter the name.");
        await page.GetByLabel("Name").FillAsync("audit-archive");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Service instance audit-archive created.");
        var row = page.Locator("table.data tbody tr", new() { HasText = "audit-archive" });
        await Assertions.Expect(row.Locator("td[data-label=Service]")).ToHaveTextAsync("Cloud Object Storage");
        var guid = await row.Locator("td[data-label=GUID]").InnerTextAsync();
        await Browser.ScreenshotAsync(page, "console-instances");

        var bound = await tenant.AuthorizeAsync("atracker", "cloud-object-storage", ObjectWriter, guid);
        var unrelated = await tenant.AuthorizeAsync("event-notifications", "cloud-object-storage", ObjectWriter);
        await page.GetByRole(AriaRole.Link, new() { Name = "Delete audit-archive" }).ClickAsync();
        var consequence = page.Locator("#consequence");
        await Assertions.Expect(consequence).ToContainTextAsync("This policy is removed with it");
        await Assertions.Expect(consequence.Locator("td[data-label=ID]")).ToHaveTextAsync([bound]);
        await Assertions.Expect(consequence).ToContainTextAsync("Activity Tracker Event Routing");
        await Browser.ScreenshotAsync(page, "console-instance-delete");
        await page.GetByRole(AriaRole.Button, new() { Name = "Delete instance" }).ClickAsync();

        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Service instance audit-archive deleted, with 1 policy.");
        Assert.Equal("removed", (await tenant.GetAsync($"/v2/resource_instances/{guid}")).GetProperty("state").GetString());
        Assert.Equal("deleted", (await tenant.GetAsync($"/v2/policies/{bound}")).GetProperty("state").GetString());
        Assert.Equal("active", (await tenant.GetAsync($"/v2/policies/{unrelated}")).GetProperty("state").GetString());
        Assert.Empty(failures);
    }

    [Fact]
    public async Task AGroup_IsCreatedThroughTheForm_ItsDeletionListsWhatGoes_AndAGroupWithInstancesSaysWhyNot()
    {
        var tenant = await browser.NewAccountAsync();
        var (page, _) = await browser.SignedInPageAsync(tenant.OwnerKey);
        await page.GotoAsync("/console/groups");

        await page.GetByLabel("Name").FillAsync("team-b");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Resource group team-b created.");
        var groupId = await page.Locator("table.data tbody tr", new() { HasText = "team-b" }).Locator("td[data-label=ID]").InnerTextAsync();
        var scoped = await tenant.PostAsync("/v2/policies", new
        {
            type = "authorization",
            subject = new { attributes = new object[]
            {
                new { key = "accountId", @operator = "stringEquals", value = tenant.AccountId },
                new { key = "serviceName", @operator = "stringEquals", value = "atracker" },
            } },
            resource = new { attributes = new object[]
            {
                new { key = "accountId", @operator = "stringEquals", value = tenant.AccountId },
                new { key = "serviceName", @operator = "stringEquals", value = "cloud-object-storage" },
                new { key = "resourceGroupId", @operator = "stringEquals", value = groupId },
            } },
            control = new { grant = new { roles = new[] { new { role_id = ObjectWriter } } } },
        });

        await page.GetByRole(AriaRole.Link, new() { Name = "Delete team-b" }).ClickAsync();
        await Assertions.Expect(page.Locator("#consequence td[data-label=Target]")).ToHaveTextAsync(["Cloud Object StorageResource group team-b"]);
        await page.GetByRole(AriaRole.Button, new() { Name = "Delete resource group" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Resource group team-b deleted, with 1 policy.");
        Assert.Equal("deleted", (await tenant.GetAsync($"/v2/policies/{scoped.GetProperty("id").GetString()}")).GetProperty("state").GetString());

        var busy = await tenant.CreateGroupAsync("busy");
        await tenant.CreateInstanceAsync("kms", "keys", busy);
        await page.GotoAsync($"/console/groups/{busy}/remove");
        await page.GetByRole(AriaRole.Button, new() { Name = "Delete resource group" }).ClickAsync();
        await Assertions.Expect(page.Locator(".error-summary")).ToContainTextAsync("still holds service instances; delete them first.");
        Assert.Contains((await tenant.GetAsync($"/v2/resource_groups?account_id={tenant.AccountId}")).GetProperty("resources").EnumerateArray(),
            g => g.GetProperty("id").GetString() == busy);
    }
}
