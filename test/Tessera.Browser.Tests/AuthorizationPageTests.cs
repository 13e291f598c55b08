using System.Text.Json;
using Microsoft.Playwright;

namespace Tessera.Browser.Tests;

/// <summary>
/// Manage → Access (IAM) → Authorizations, as seed 001's administrator uses it: create in the seed's order with every
/// target scope and source attribute, a source in another account, the pre-filled link (R10), a rule-book error at its
/// field, remove with its confirmation, and the table of seed 000 with its Source account column. What the page did is
/// checked through the API.
/// </summary>
[Collection(Browser.Collection)]
public sealed class AuthorizationPageTests(Browser browser)
{
    private const string Tracker = "Activity Tracker Event Routing";
    private const string Storage = "Cloud Object Storage";

    [Theory]
    [InlineData("all")]
    [InlineData("instance")]
    [InlineData("group")]
    [InlineData("resource")]
    public async Task Create_InTheSeedsOrder_GrantsExactlyTheChosenTargetScope(string scope)
    {
        var tenant = await browser.NewAccountAsync();
        var groupId = await tenant.CreateGroupAsync("team-a");
        var bucketHome = await tenant.CreateInstanceAsync("cloud-object-storage", "audit-archive", groupId);
        var (page, failures) = await browser.SignedInPageAsync(tenant.OwnerKey);
        var form = new CreateForm(page);

        await form.OpenAsync();
        await form.SourceServiceAsync(Tracker);
        await form.TargetServiceAsync(Storage);
        await form.TargetScopeAsync(scope,
            instance: scope is "instance" or "resource" ? bucketHome.Name : null,
            group: scope == "group" ? "team-a" : null,
            resourceType: scope == "resource" ? "bucket" : null,
            resource: scope == "resource" ? "audit-logs" : null);
        // The roles on offer are the pair's, with their descriptions.
        await Assertions.Expect(form.Form.Locator("#roles .role")).ToHaveCountAsync(1);
        await Assertions.Expect(form.Form.Locator("#roles")).ToContainTextAsync("Object Writer");
        await form.RoleAsync("Object Writer");
        await form.AuthorizeAsync();

        await Assertions.Expect(page.Locator("p.notice[role=status]")).ToContainTextAsync(" created.");
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync($"Authorization of {Tracker} to {Storage} created.");
        var created = Assert.Single(await tenant.AuthorizationsAsync());
        Assert.Equal(new Dictionary<string, string> { ["accountId"] = tenant.AccountId, ["serviceName"] = "atracker" }, Tenant.Attributes(created, "subject"));
        var expected = new Dictionary<string, string> { ["accountId"] = tenant.AccountId, ["serviceName"] = "cloud-object-storage" };
        switch (scope)
        {
            case "instance":
                expected["serviceInstance"] = bucketHome.Guid;
                break;
            case "group":
                expected["resourceGroupId"] = groupId;
                break;
            case "resource":
                expected["serviceInstance"] = bucketHome.Guid;
                expected["resourceType"] = "bucket";
                expected["resource"] = "audit-logs";
                break;
        }
        Assert.Equal(expected, Tenant.Attributes(created, "resource"));
        Assert.Equal(tenant.OwnerIamId, created.GetProperty("created_by_id").GetString());

        await page.GotoAsync("/console/authorizations");
        var row = page.Locator("table.data tbody tr");
        await Assertions.Expect(row).ToHaveCountAsync(1);
        await Assertions.Expect(row.Locator("td[data-label=Source]")).ToHaveTextAsync($"{Tracker}All resources");
        await Assertions.Expect(row.Locator("td[data-label=Target]")).ToHaveTextAsync(Storage + scope switch
        {
            "all" => "All instances",
            "instance" => "Instance audit-archive",
            "group" => "Resource group team-a",
            _ => "Instance audit-archive, bucket audit-logs",
        });
        await Assertions.Expect(row.Locator("td[data-label=Roles]")).ToHaveTextAsync("Object Writer");
        await Assertions.Expect(row.Locator("td[data-label='Source account']")).ToHaveTextAsync("This account");
        await Assertions.Expect(row.Locator("td[data-label='Created by']")).ToHaveTextAsync(tenant.OwnerEmail);
        Assert.Empty(failures);
    }

    [Theory]
    [InlineData("group")]
    [InlineData("instance")]
    public async Task Create_ForResourcesBasedOnSelectedAttributes_NamesTheSourceGroupOrInstance(string attribute)
    {
        var tenant = await browser.NewAccountAsync();
        var groupId = await tenant.CreateGroupAsync("routers");
        var router = await tenant.CreateInstanceAsync("atracker", "eu-router", groupId);
        var (page, _) = await browser.SignedInPageAsync(tenant.OwnerKey);
        var form = new CreateForm(page);

        await form.OpenAsync();
        await form.SourceServiceAsync(Tracker);
        if (attribute == "group")
            await form.SourceResourceGroupAsync("routers");
        else
            await form.SourceInstanceAsync("eu-router");
        await form.TargetServiceAsync("Event Streams");
        await form.RoleAsync("Writer");
        await form.AuthorizeAsync();

        await Assertions.Expect(page.Locator("p.notice[role=status]")).ToContainTextAsync(" created.");
        var subject = Tenant.Attributes(Assert.Single(await tenant.AuthorizationsAsync()), "subject");
        Assert.Equal(attribute == "group" ? groupId : router.Guid, subject[attribute == "group" ? "resourceGroupId" : "serviceInstance"]);
        await Assertions.Expect(page.Locator("dl.details")).ToContainTextAsync(attribute == "group" ? "Resource group routers" : "Instance eu-router");
    }

    [Fact]
    public async Task Create_WithASourceInAnotherAccount_ShowsThatAccountInTheSourceAccountColumn()
    {
        var tenant = await browser.NewAccountAsync();
        var other = await browser.NewAccountAsync();
        var (page, _) = await browser.SignedInPageAsync(tenant.OwnerKey);
        var form = new CreateForm(page);

        await form.OpenAsync();
        await form.OtherAccountAsync(other.AccountId);
        await form.SourceServiceAsync("Event Notifications");
        await form.TargetServiceAsync(Storage);
        await form.RoleAsync("Reader");
        await form.AuthorizeAsync();
        await Assertions.Expect(page.Locator("p.notice[role=status]")).ToContainTextAsync(" created.");

        var created = Assert.Single(await tenant.AuthorizationsAsync());
        Assert.Equal(other.AccountId, Tenant.Attributes(created, "subject")["accountId"]);
        Assert.Equal(tenant.AccountId, Tenant.Attributes(created, "resource")["accountId"]);
        await tenant.AuthorizeAsync("atracker", "cloud-object-storage", "crn:v1:bluemix:public:cloud-object-storage::::serviceRole:ObjectWriter");
        await page.GotoAsync("/console/authorizations");
        var accounts = await page.Locator("td[data-label='Source account']").AllInnerTextsAsync();
        Assert.Equal(["This account", other.AccountId], accounts);
        await Browser.ScreenshotAsync(page, "console-authorizations");
    }

    [Fact]
    public async Task AnAuthorizationASourceServiceCreatedByDelegation_IsShownAsCreatedByItsCrn()
    {
        var tenant = await browser.NewAccountAsync();
        var database = await tenant.CreateInstanceAsync("databases-for-postgresql", "orders-db");
        var keys = await tenant.CreateInstanceAsync("kms", "keys");
        var dependent = await tenant.CreateInstanceAsync("cloud-object-storage", "orders-backups");
        // The database may authorize its dependents on the key manager (Authorization Delegator), and does so (R10).
        await tenant.PostAsync("/v1/policies", new
        {
            type = "authorization",
            subjects = new[] { new { attributes = new[]
            {
                new { name = "accountId", value = tenant.AccountId }, new { name = "serviceName", value = "databases-for-postgresql" },
                new { name = "serviceInstance", value = database.Guid },
            } } },
            roles = new[] { new { role_id = "crn:v1:bluemix:public:iam::::serviceRole:Reader" }, new { role_id = "crn:v1:bluemix:public:iam::::role:AuthorizationDelegator" } },
            resources = new[] { new { attributes = new[]
            {
                new { name = "accountId", value = tenant.AccountId }, new { name = "serviceName", value = "kms" }, new { name = "serviceInstance", value = keys.Guid },
            } } },
        });
        var databaseKey = (await tenant.PostAsync("/v1/apikeys", new { name = "orders-db", iam_id = "crn-" + database.Crn })).GetProperty("apikey").GetString()!;
        using var asDatabase = await browser.ApiAsync(databaseKey);
        var delegatedBody = new Tenant(tenant.AccountId, databaseKey, tenant.OwnerEmail, asDatabase);
        await delegatedBody.PostAsync("/v1/policies", new
        {
            type = "authorization",
            subjects = new[] { new { attributes = new[]
            {
                new { name = "accountId", value = tenant.AccountId }, new { name = "serviceName", value = "cloud-object-storage" },
                new { name = "serviceInstance", value = dependent.Guid },
            } } },
            roles = new[] { new { role_id = "crn:v1:bluemix:public:iam::::serviceRole:Reader" } },
            resources = new[] { new { attributes = new[]
            {
                new { name = "accountId", value = tenant.AccountId }, new { name = "serviceName", value = "kms" }, new { name = "serviceInstance", value = keys.Guid },
            } } },
        });
        var (page, _) = await browser.SignedInPageAsync(tenant.OwnerKey);

        var delegated = page.Locator("table.data tbody tr", new() { HasText = "Instance orders-backups" });
        await Assertions.Expect(delegated.Locator("td[data-label='Created by']")).ToHaveTextAsync(database.Crn);
        await delegated.GetByRole(AriaRole.Link).ClickAsync();
        await Assertions.Expect(page.Locator("dl.details")).ToContainTextAsync($"Created by {database.Crn}");
    }

    [Fact]
    public async Task WithoutScripts_UpdateChoices_OffersWhatTheScriptWould_AndTheCreateWorks()
    {
        var tenant = await browser.NewAccountAsync();
        var bucketHome = await tenant.CreateInstanceAsync("cloud-object-storage", "archive");
        var (page, failures) = await browser.SignedInPageAsync(tenant.OwnerKey, new BrowserNewContextOptions { JavaScriptEnabled = false });
        await page.GotoAsync("/console/authorizations/create");
        var update = page.GetByRole(AriaRole.Button, new() { Name = "Update choices" });

        var targets = page.GetByLabel("Target service", new() { Exact = true }).Locator("option");
        var everyTarget = await targets.CountAsync();
        await page.GetByLabel("Source service", new() { Exact = true }).SelectOptionAsync("event-notifications");
        await update.ClickAsync();
        // Only the targets that accept this source remain.
        Assert.InRange(await targets.CountAsync(), 2, everyTarget - 1);
        Assert.Contains("Key Protect", await targets.AllInnerTextsAsync());
        await page.GetByLabel("Target service", new() { Exact = true }).SelectOptionAsync("cloud-object-storage");
        await update.ClickAsync();
        Assert.Equal(["Object Writer", "Reader"], (await page.Locator("#roles .role label").AllInnerTextsAsync()).Order());
        Assert.Contains("archive", await page.GetByLabel("Instance", new() { Exact = true }).Locator("option").AllInnerTextsAsync());
        await page.GetByLabel("A specific instance").CheckAsync();
        await page.GetByLabel("Instance", new() { Exact = true }).SelectOptionAsync(new SelectOptionValue { Label = "archive" });
        await page.GetByLabel("Object Writer").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Authorize" }).ClickAsync();

        await Assertions.Expect(page.Locator("p.notice[role=status]")).ToContainTextAsync(" created.");
        Assert.Equal(bucketHome.Guid, Tenant.Attributes(Assert.Single(await tenant.AuthorizationsAsync()), "resource")["serviceInstance"]);
        Assert.Empty(failures);
    }

    [Fact]
    public async Task APrefilledLink_OpensTheFormFilledIn_AndOneClickAuthorizes()
    {
        var tenant = await browser.NewAccountAsync();
        var bucketHome = await tenant.CreateInstanceAsync("cloud-object-storage", "notifications-store");
        var (page, _) = await browser.SignedInPageAsync(tenant.OwnerKey);

        // What a source service's own page links to (R10): source, target, scope and roles in the query string.
        await page.GotoAsync($"/console/authorizations/create?source_service=event-notifications&target_service=cloud-object-storage" +
                             $"&target_instance={bucketHome.Guid}&roles=Object%20Writer,Reader&description=from%20Event%20Notifications");

        await Assertions.Expect(page.GetByLabel("Source service", new() { Exact = true })).ToHaveValueAsync("event-notifications");
        await Assertions.Expect(page.GetByLabel("Target service", new() { Exact = true })).ToHaveValueAsync("cloud-object-storage");
        await Assertions.Expect(page.GetByLabel("A specific instance")).ToBeCheckedAsync();
        await Assertions.Expect(page.GetByLabel("Instance", new() { Exact = true })).ToHaveValueAsync(bucketHome.Guid);
        await Assertions.Expect(page.GetByLabel("Object Writer")).ToBeCheckedAsync();
        await Assertions.Expect(page.GetByLabel("Reader")).ToBeCheckedAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Authorize" }).ClickAsync();

        await Assertions.Expect(page.Locator("p.notice[role=status]")).ToContainTextAsync(" created.");
        var created = Assert.Single(await tenant.AuthorizationsAsync());
        Assert.Equal(2, created.GetProperty("control").GetProperty("grant").GetProperty("roles").GetArrayLength());
        Assert.Equal("from Event Notifications", created.GetProperty("description").GetString());
        Assert.Equal(bucketHome.Guid, Tenant.Attributes(created, "resource")["serviceInstance"]);
    }

    [Fact]
    public async Task APrefilledLinkWithARoleThePairLacks_SaysSo_AndDoesNotChooseIt()
    {
        var tenant = await browser.NewAccountAsync();
        var (page, _) = await browser.SignedInPageAsync(tenant.OwnerKey);

        await page.GotoAsync("/console/authorizations/create?source_service=atracker&target_service=cloud-object-storage&roles=Manager");

        await Assertions.Expect(page.Locator("#roles")).ToContainTextAsync("The link asked for the role \"Manager\", which this pair does not offer.");
        await Assertions.Expect(page.GetByLabel("Object Writer")).Not.ToBeCheckedAsync();
    }

    [Fact]
    public async Task ARuleBookError_IsShownAtItsField_AndNothingIsCreated()
    {
        var tenant = await browser.NewAccountAsync();
        var (page, _) = await browser.SignedInPageAsync(tenant.OwnerKey);
        var form = new CreateForm(page);

        await form.OpenAsync();
        await form.SourceServiceAsync(Tracker);
        await form.TargetServiceAsync(Storage);
        await form.AuthorizeAsync(); // no role chosen

        var roles = page.Locator("fieldset#roles");
        await Assertions.Expect(roles.Locator(".field-error")).ToHaveTextAsync("Error: roles must name at least one role");
        Assert.Contains("roles-error", await roles.GetAttributeAsync("aria-describedby"), StringComparison.Ordinal);
        await Assertions.Expect(page.Locator(".error-summary a[href='#roles']")).ToHaveTextAsync("roles must name at least one role");
        // What was chosen stays chosen.
        await Assertions.Expect(page.GetByLabel("Target service", new() { Exact = true })).ToHaveValueAsync("cloud-object-storage");
        Assert.Empty(await tenant.AuthorizationsAsync());

        // An instance of the wrong service, through a hand-made link: the rule book's message, at the instance.
        var keys = await tenant.CreateInstanceAsync("event-notifications", "not-storage");
        await page.GotoAsync($"/console/authorizations/create?source_service=atracker&target_service=cloud-object-storage&target_instance={keys.Crn}&roles=Object%20Writer");
        await form.AuthorizeAsync();
        await Assertions.Expect(page.Locator("#target_instance-error")).ToContainTextAsync("is an instance of event-notifications, not of cloud-object-storage");
        await Browser.ScreenshotAsync(page, "console-create-error");
        Assert.Empty(await tenant.AuthorizationsAsync());
    }

    [Fact]
    public async Task AnIdenticalAuthorization_IsAConflict_ThatLinksToTheOneThatExists()
    {
        var tenant = await browser.NewAccountAsync();
        var existing = await tenant.AuthorizeAsync("atracker", "cloud-object-storage", "crn:v1:bluemix:public:cloud-object-storage::::serviceRole:ObjectWriter");
        var (page, _) = await browser.SignedInPageAsync(tenant.OwnerKey);

        await page.GotoAsync("/console/authorizations/create?source_service=atracker&target_service=cloud-object-storage&roles=ObjectWriter");
        await new CreateForm(page).AuthorizeAsync();

        await Assertions.Expect(page.Locator(".error-summary")).ToContainTextAsync("An identical authorization already exists");
        await page.GetByRole(AriaRole.Link, new() { Name = "See the existing authorization" }).ClickAsync();
        await page.WaitForURLAsync($"**/console/authorizations/{existing}");
        Assert.Single(await tenant.AuthorizationsAsync());
    }

    [Fact]
    public async Task Remove_SaysWhatStopsWorking_AndOnlyThenRemoves()
    {
        var tenant = await browser.NewAccountAsync();
        var bucketHome = await tenant.CreateInstanceAsync("cloud-object-storage", "audit-archive");
        var id = await tenant.AuthorizeAsync("atracker", "cloud-object-storage", "crn:v1:bluemix:public:cloud-object-storage::::serviceRole:ObjectWriter", bucketHome.Guid);
        var (page, _) = await browser.SignedInPageAsync(tenant.OwnerKey);

        await page.GetByRole(AriaRole.Link, new() { Name = $"Details of the authorization of {Tracker} to {Storage}" }).ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Remove" }).ClickAsync();
        await page.WaitForURLAsync($"**/console/authorizations/{id}/remove");
        var consequence = page.Locator("#consequence");
        await Assertions.Expect(consequence).ToContainTextAsync($"{Tracker} (All resources) will no longer be able to act on {Storage} (Instance audit-archive)");
        await Assertions.Expect(consequence).ToContainTextAsync("cloud-object-storage.object.put_part");
        await Browser.ScreenshotAsync(page, "console-remove-confirmation");

        // Cancel changes nothing.
        await page.GetByRole(AriaRole.Link, new() { Name = "Cancel" }).ClickAsync();
        Assert.Single(await tenant.AuthorizationsAsync());

        await page.GotoAsync($"/console/authorizations/{id}/remove");
        await page.GetByRole(AriaRole.Button, new() { Name = "Remove authorization" }).ClickAsync();
        await page.WaitForURLAsync("**/console/authorizations");
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("removed");
        Assert.Empty(await tenant.AuthorizationsAsync());
        Assert.Equal("deleted", (await tenant.GetAsync($"/v2/policies/{id}")).GetProperty("state").GetString());
    }

    [Fact]
    public async Task Details_ShowTheRolesWithTheirDescriptions_AndTheApisOwnJson()
    {
        var tenant = await browser.NewAccountAsync();
        var id = await tenant.AuthorizeAsync("event-notifications", "messagehub", "crn:v1:bluemix:public:iam::::serviceRole:Writer");
        var (page, _) = await browser.SignedInPageAsync(tenant.OwnerKey);

        await page.GotoAsync($"/console/authorizations/{id}");
        await Assertions.Expect(page.Locator("dl.details")).ToContainTextAsync("Writer:");
        await page.GetByText("JSON", new() { Exact = true }).ClickAsync();
        var shown = JsonDocument.Parse(await page.Locator("details.json pre").InnerTextAsync()).RootElement;
        var api = await tenant.GetAsync($"/v2/policies/{id}?format=display");
        Assert.True(JsonElement.DeepEquals(api, shown), $"console: {shown}\napi: {api}");
        await Browser.ScreenshotAsync(page, "console-authorization-details");

        await page.GotoAsync("/console/authorizations/00000000000000000000000000000000");
        Assert.Contains("There is no such page", await page.Locator("main").InnerTextAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheTable_PagesAndFilters()
    {
        var tenant = await browser.NewAccountAsync();
        var instances = new List<string>();
        for (var i = 0; i < 23; i++)
            instances.Add((await tenant.CreateInstanceAsync("cloud-object-storage", $"store-{i:00}")).Guid);
        foreach (var guid in instances)
            await tenant.AuthorizeAsync("atracker", "cloud-object-storage", "crn:v1:bluemix:public:cloud-object-storage::::serviceRole:ObjectWriter", guid);
        await tenant.AuthorizeAsync("event-notifications", "messagehub", "crn:v1:bluemix:public:iam::::serviceRole:Writer");
        var (page, _) = await browser.SignedInPageAsync(tenant.OwnerKey);

        var rows = page.Locator("table.data tbody tr");
        await Assertions.Expect(rows).ToHaveCountAsync(20);
        var first = await page.Locator("td[data-label=Target]").AllInnerTextsAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Next page" }).ClickAsync();
        await Assertions.Expect(rows).ToHaveCountAsync(4);
        var second = await page.Locator("td[data-label=Target]").AllInnerTextsAsync();
        Assert.Empty(first.Intersect(second));
        Assert.Equal(0, await page.GetByRole(AriaRole.Link, new() { Name = "Next page" }).CountAsync());

        await page.GotoAsync("/console/authorizations");
        await page.GetByLabel("Source service", new() { Exact = true }).SelectOptionAsync("event-notifications");
        await page.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();
        await Assertions.Expect(rows).ToHaveCountAsync(1);
        await page.GetByLabel("Source service", new() { Exact = true }).SelectOptionAsync("");
        await page.GetByLabel("Target service", new() { Exact = true }).SelectOptionAsync("cloud-object-storage");
        await page.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();
        await Assertions.Expect(rows).ToHaveCountAsync(20);
        await page.GetByRole(AriaRole.Link, new() { Name = "Next page" }).ClickAsync();
        await Assertions.Expect(rows).ToHaveCountAsync(3);
    }

    [Fact]
    public async Task AUserWithoutAdministratorOnTheTarget_SeesNoAuthorizations_AndCannotCreateOne()
    {
        var tenant = await browser.NewAccountAsync();
        await tenant.AuthorizeAsync("atracker", "cloud-object-storage", "crn:v1:bluemix:public:cloud-object-storage::::serviceRole:ObjectWriter");
        var user = await tenant.PostAsync($"/v2/accounts/{tenant.AccountId}/users", new { email = "viewer@acme.test" });
        var iamId = user.GetProperty("iam_id").GetString()!;
        // Viewer on every service of the account: enough to sign in and look, not to manage authorizations.
        await tenant.PostAsync("/v2/policies", new
        {
            type = "access",
            subject = new { attributes = new[] { new { key = "iam_id", @operator = "stringEquals", value = iamId } } },
            resource = new { attributes = new[] { new { key = "accountId", @operator = "stringEquals", value = tenant.AccountId } } },
            control = new { grant = new { roles = new[] { new { role_id = "crn:v1:bluemix:public:iam::::role:Viewer" } } } },
        });
        var key = (await tenant.PostAsync("/v1/apikeys", new { name = "viewer-key", iam_id = iamId })).GetProperty("apikey").GetString()!;
        var (page, _) = await browser.SignedInPageAsync(key);

        await Assertions.Expect(page.Locator(".empty")).ToContainTextAsync("There are no authorizations you may view");
        var form = new CreateForm(page);
        await form.OpenAsync();
        await form.SourceServiceAsync(Tracker);
        await form.TargetServiceAsync(Storage);
        await form.RoleAsync("Object Writer");
        await form.AuthorizeAsync();

        await Assertions.Expect(page.Locator("#target_service-error")).ToContainTextAsync("iam.policy.create");
        Assert.Single(await tenant.AuthorizationsAsync());
    }
}
