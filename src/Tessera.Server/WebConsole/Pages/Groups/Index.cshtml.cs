using Microsoft.AspNetCore.Mvc;
using Tessera.Management;

namespace Tessera.Server.WebConsole.Pages.Groups;

/// <summary>The account's resource groups, and a form to create one.</summary>
public sealed class IndexModel(RuleBook rules) : ConsolePage
{
    [BindProperty(Name = "name")]
    public string? Name { get; set; }

    public AccountNames Names { get; private set; } = new();

    public async Task OnGetAsync(CancellationToken cancellationToken) => Names = await AccountNames.LoadAsync(rules, Call, cancellationToken);

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        if (Required("name", Name, 128, "name") is { } name)
        {
            var created = await rules.CreateResourceGroupAsync(Call, Caller.AccountId, name, cancellationToken);
            if (created.Succeeded)
                return Done($"Resource group {created.Value!.Name} created.", "Index");
            Show(created.Problem!, field => field is "name" ? "name" : null);
        }
        Names = await AccountNames.LoadAsync(rules, Call, cancellationToken);
        return Page();
    }
}
