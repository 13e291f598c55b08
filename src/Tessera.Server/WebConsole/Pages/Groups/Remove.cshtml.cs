using Tessera.Catalog;
using Tessera.Management;
using Tessera.Model;
using Tessera.Policies;

namespace Tessera.Server.WebConsole.Pages.Groups;

/// <summary>Deleting a resource group, with the policies that go with it (R7) listed before it happens.</summary>
public sealed class RemoveModel(RuleBook rules, ServiceCatalog catalog) : CascadeDeletePage(rules, catalog)
{
    public ResourceGroup? Group { get; private set; }

    protected override string What => $"Resource group {Group!.Name}";

    protected override async Task<IReadOnlyList<Policy>?> LoadAsync(string id, CancellationToken cancellationToken)
    {
        if ((await Rules.GetResourceGroupAsync(Call, id, cancellationToken)).Value is not { } group)
            return null;
        Group = group;
        return await Rules.PoliciesRemovedWithAsync(Call, group, cancellationToken);
    }

    protected override async Task<Problem?> DeleteAsync(string id, CancellationToken cancellationToken) =>
        (await Rules.DeleteResourceGroupAsync(Call, id, cancellationToken)).Problem;
}
