using Microsoft.Playwright;

namespace Tessera.Browser.Tests;

/// <summary>The console's create-authorization form, driven as a person would: by its labels, in the seed's order.</summary>
public sealed class CreateForm(IPage page)
{
    public ILocator Form => page.Locator("#authorization-form");

    public async Task OpenAsync()
    {
        await page.GotoAsync("/console/authorizations");
        await page.GetByRole(AriaRole.Link, new() { Name = "Create", Exact = true }).ClickAsync();
        await page.WaitForURLAsync("**/console/authorizations/create");
    }

    public async Task OtherAccountAsync(string accountId)
    {
        await page.GetByLabel("Other account", new() { Exact = true }).CheckAsync();
        await SettledAsync();
        await page.GetByLabel("Account ID of the other account").FillAsync(accountId);
    }

    /// <summary>Chooses a service, and waits for the choices that depend on it (with scripts on, they update in place).</summary>
    public async Task SourceServiceAsync(string displayName)
    {
        await page.GetByLabel("Source service", new() { Exact = true }).SelectOptionAsync(new SelectOptionValue { Label = displayName });
        await SettledAsync();
    }

    public async Task TargetServiceAsync(string displayName)
    {
        await page.GetByLabel("Target service", new() { Exact = true }).SelectOptionAsync(new SelectOptionValue { Label = displayName });
        await SettledAsync();
    }

    public Task SourceResourceGroupAsync(string name) => SourceAttributeAsync("Source resource group", "Resource group", name);

    public Task SourceInstanceAsync(string name) => SourceAttributeAsync("Source service instance", "Service instance", name);

    private async Task SourceAttributeAsync(string attribute, string field, string value)
    {
        await page.GetByLabel("Resources based on selected attributes").CheckAsync();
        await page.GetByLabel(attribute, new() { Exact = true }).CheckAsync();
        var control = Form.Locator("#source_scope").GetByLabel(field, new() { Exact = true });
        if (await control.EvaluateAsync<string>("e => e.tagName") == "SELECT")
            await control.SelectOptionAsync(new SelectOptionValue { Label = value });
        else
            await control.FillAsync(value);
    }

    /// <summary>One of the target scopes: all, instance, group, or resource (with the instance, the type and the resource).</summary>
    public async Task TargetScopeAsync(string kind, string? instance = null, string? group = null, string? resourceType = null, string? resource = null)
    {
        var label = kind switch
        {
            "all" => "All instances",
            "instance" => "A specific instance",
            "group" => "Instances in a resource group",
            "resource" => "A resource type and resource inside an instance",
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };
        await page.GetByLabel(label, new() { Exact = true }).CheckAsync();
        if (instance is not null)
            await page.GetByLabel("Instance", new() { Exact = true }).SelectOptionAsync(new SelectOptionValue { Label = instance });
        if (group is not null)
            await Form.Locator("#target_scope").GetByLabel("Resource group", new() { Exact = true }).SelectOptionAsync(new SelectOptionValue { Label = group });
        if (resourceType is not null)
            await page.GetByLabel("Resource type", new() { Exact = true }).SelectOptionAsync(resourceType);
        if (resource is not null)
            await page.GetByLabel("Resource", new() { Exact = true }).FillAsync(resource);
    }

    public async Task RoleAsync(string displayName) => await page.GetByLabel(displayName, new() { Exact = true }).CheckAsync();

    public async Task AuthorizeAsync() => await page.GetByRole(AriaRole.Button, new() { Name = "Authorize" }).ClickAsync();

    /// <summary>Waits until no update of the choices is under way.</summary>
    public async Task SettledAsync() => await Assertions.Expect(Form).Not.ToHaveAttributeAsync("aria-busy", "true");
}
