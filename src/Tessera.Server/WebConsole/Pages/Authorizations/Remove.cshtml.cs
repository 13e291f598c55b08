using Microsoft.AspNetCore.Mvc;
using Tessera.Catalog;
using Tessera.Management;
using Tessera.Policies;

namespace Tessera.Server.WebConsole.Pages.Authorizations;

/// <summary>Remove, after a confirmation that says what stops working; the delete is the rule book's, under R3 and R8.</summary>
public sealed class RemoveModel(RuleBook rules, ServiceCatalog catalog) : ConsolePage
{
    public AuthorizationText? Text { get; private set; }

    public async Task<IActionResult> OnGetAsync(string id, CancellationToken cancellationToken) =>
        await LoadAsync(id, cancellationToken) ? Page() : Missing();

    public async Task<IActionResult> OnPostAsync(string id, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(id, cancellationToken))
            return Missing();
        var deleted = await rules.DeletePolicyAsync(Call, id, cancellationToken);
        if (deleted.Succeeded)
            return Done($"Authorization of {Text!.SourceService} to {Text.TargetService} removed.", "Index");
        Show(deleted.Problem!);
        return Page();
    }

    private async Task<bool> LoadAsync(string id, CancellationToken cancellationToken)
    {
        if ((await rules.GetPolicyAsync(Call, id, cancellationToken)).Value is not { Type: PolicyType.Authorization } policy)
            return false;
        Text = AuthorizationText.Of(policy, catalog, await AccountNames.LoadAsync(rules, Call, cancellationToken), Caller.AccountId);
        return true;
    }
}
