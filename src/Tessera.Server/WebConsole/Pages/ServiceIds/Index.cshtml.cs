using Microsoft.AspNetCore.Mvc;
using Tessera.Management;

namespace Tessera.Server.WebConsole.Pages.ServiceIds;

/// <summary>The account's service IDs the caller may see, and a form to create one.</summary>
public sealed class IndexModel(RuleBook rules) : ConsolePage
{
    [BindProperty(Name = "name")]
    public string? Name { get; set; }

    [BindProperty(Name = "description")]
    public string? Description { get; set; }

    public IReadOnlyList<Tessera.Model.Identity> ServiceIds { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken cancellationToken) => await LoadAsync(cancellationToken);

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        if (Required("name", Name, 256, "name") is { } name)
        {
            var created = await rules.CreateServiceIdAsync(Call, Caller.AccountId, name, Description is { Length: > 0 } d ? d.Trim() : null, false, cancellationToken);
            if (created.Succeeded)
                return Done($"Service ID {created.Value!.Name} created. Create an API key for it here.", "Details", new { id = created.Value.Id });
            Show(created.Problem!, field => field is "name" ? "name" : null);
        }
        await LoadAsync(cancellationToken);
        return Page();
    }

    private async Task LoadAsync(CancellationToken cancellationToken) =>
        ServiceIds = (await rules.ListServiceIdsAsync(Call, Caller.AccountId, null, cancellationToken)).OrderBy(s => s.Name, StringComparer.OrdinalIgnoreCase).ToList();
}
