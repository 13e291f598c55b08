using Microsoft.AspNetCore.Mvc;
using Tessera.Catalog;
using Tessera.Management;
using Tessera.Model;

namespace Tessera.Server.WebConsole.Pages.Instances;

/// <summary>The account's service instances, and a form to create one (the rule book decides who may, and in which group).</summary>
public sealed class IndexModel(RuleBook rules, ServiceCatalog catalog) : ConsolePage
{
    [BindProperty(Name = "name")]
    public string? Name { get; set; }

    [BindProperty(Name = "plan")]
    public string? Plan { get; set; }

    [BindProperty(Name = "resource_group")]
    public string? ResourceGroup { get; set; }

    [BindProperty(Name = "location")]
    public string? Location { get; set; }

    public AccountNames Names { get; private set; } = new();

    public IEnumerable<CatalogService> Services => catalog.Services.Where(s => s.Plans.Count > 0).OrderBy(s => s.DisplayName, StringComparer.OrdinalIgnoreCase);

    public string ServiceName(string name) => AuthorizationText.ServiceName(catalog, name);

    public string PlanName(ServiceInstance instance) =>
        catalog.FindService(instance.ServiceName)?.Plans.FirstOrDefault(p => p.Id == instance.PlanId)?.Name ?? instance.PlanId;

    public async Task OnGetAsync(CancellationToken cancellationToken) => Names = await AccountNames.LoadAsync(rules, Call, cancellationToken);

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        var name = Required("name", Name, 180, "name");
        var plan = Required("plan", Plan, 128, "plan");
        var location = Required("location", Location, 64, "location");
        if (location is not null && !location.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-'))
            ModelState.AddModelError("location", $"The location '{location}' must be a region such as 'global' or 'us-south'.");
        var group = Required("resource_group", ResourceGroup, 64, "resource group");
        if (ModelState.IsValid)
        {
            var created = await rules.CreateInstanceAsync(Call, name!, location!, group!, plan!, cancellationToken);
            if (created.Succeeded)
                return Done($"Service instance {created.Value!.Name} created.", "Index");
            Show(created.Problem!, field => field switch
            {
                "resource_plan_id" => "plan",
                "resource_group" => "resource_group",
                _ => null,
            });
        }
        Names = await AccountNames.LoadAsync(rules, Call, cancellationToken);
        return Page();
    }
}
