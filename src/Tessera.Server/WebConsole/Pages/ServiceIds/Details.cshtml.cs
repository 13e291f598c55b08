using Microsoft.AspNetCore.Mvc;
using Tessera.Catalog;
using Tessera.Management;

namespace Tessera.Server.WebConsole.Pages.ServiceIds;

/// <summary>One service ID: its keys (a new one shown once), and its deletion with what goes along (R7: its keys and policies).</summary>
public sealed class DetailsModel(RuleBook rules, ServiceCatalog catalog) : ApiKeyPage(rules)
{
    [BindProperty(SupportsGet = true, Name = "id")]
    public string Id { get; set; } = string.Empty;

    [BindProperty(SupportsGet = true, Name = "delete")]
    public string? Delete { get; set; }

    public Tessera.Model.Identity? ServiceId { get; private set; }

    public bool ConfirmDelete => Delete == "1";

    public IReadOnlyList<AuthorizationText> Removed { get; private set; } = [];

    protected override async Task<string?> LoadOwnerAsync(CancellationToken cancellationToken)
    {
        if ((await Rules.GetServiceIdAsync(Call, Id, cancellationToken)).Value is not { } serviceId)
            return null;
        ServiceId = serviceId;
        if (ConfirmDelete)
        {
            var names = await AccountNames.LoadAsync(Rules, Call, cancellationToken);
            Removed = (await Rules.PoliciesRemovedWithAsync(Call, serviceId, cancellationToken))
                .Select(p => AuthorizationText.Of(p, catalog, names, Caller.AccountId)).ToList();
        }
        return serviceId.IamId;
    }

    public async Task<IActionResult> OnPostDeleteServiceIdAsync(CancellationToken cancellationToken)
    {
        if (await LoadOwnerAsync(cancellationToken) is null)
            return Missing();
        var deleted = await Rules.DeleteServiceIdAsync(Call, Id, cancellationToken);
        if (deleted.Succeeded)
            return Done($"Service ID {ServiceId!.Name} deleted, with its API keys and policies.", "Index");
        Show(deleted.Problem!);
        return Page();
    }
}
