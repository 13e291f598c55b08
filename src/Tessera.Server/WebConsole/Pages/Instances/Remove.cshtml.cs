using Tessera.Catalog;
using Tessera.Management;
using Tessera.Model;
using Tessera.Policies;

namespace Tessera.Server.WebConsole.Pages.Instances;

/// <summary>Deleting an instance, with what it takes along (R7) listed before it happens.</summary>
public sealed class RemoveModel(RuleBook rules, ServiceCatalog catalog) : CascadeDeletePage(rules, catalog)
{
    public ServiceInstance? Instance { get; private set; }

    public string ServiceName => AuthorizationText.ServiceName(Catalog, Instance!.ServiceName);

    protected override string What => $"Service instance {Instance!.Name}";

    protected override async Task<IReadOnlyList<Policy>?> LoadAsync(string id, CancellationToken cancellationToken)
    {
        if ((await Rules.GetInstanceAsync(Call, id, cancellationToken)).Value is not { Removed: false } instance)
            return null;
        Instance = instance;
        return await Rules.PoliciesRemovedWithAsync(Call, instance, cancellationToken);
    }

    protected override async Task<Problem?> DeleteAsync(string id, CancellationToken cancellationToken) =>
        (await Rules.DeleteInstanceAsync(Call, id, cancellationToken)).Problem;
}
