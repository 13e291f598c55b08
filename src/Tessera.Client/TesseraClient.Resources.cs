using System.Runtime.CompilerServices;
using Tessera.Client.Models;

namespace Tessera.Client;

// Resource groups and service instances (IBM's resource manager and resource controller).
public sealed partial class TesseraClient
{
    /// <summary>A new resource group; the answer has its id and CRN.</summary>
    public Task<ResourceGroup> CreateResourceGroupAsync(string accountId, string name, CancellationToken cancellationToken = default) =>
        PostAsync("v2/resource_groups", new NewResourceGroup(name, accountId), RequestJsonContext.Default.NewResourceGroup,
            ClientJsonContext.Default.ResourceGroup, cancellationToken);

    public Task<ResourceGroup> GetResourceGroupAsync(string groupId, CancellationToken cancellationToken = default) =>
        GetAsync("v2/resource_groups/" + Segment(groupId), ClientJsonContext.Default.ResourceGroup, cancellationToken);

    public async Task<IReadOnlyList<ResourceGroup>> ListResourceGroupsAsync(string accountId, string? name = null, CancellationToken cancellationToken = default) =>
        (await GetAsync(Query("v2/resource_groups", ("account_id", accountId), ("name", name)), ClientJsonContext.Default.ResourceGroupPage,
            cancellationToken)).Resources;

    /// <summary>Deletes a resource group; one that still holds instances is refused.</summary>
    public Task DeleteResourceGroupAsync(string groupId, CancellationToken cancellationToken = default) =>
        SendWithoutAnswerAsync(HttpMethod.Delete, "v2/resource_groups/" + Segment(groupId), null, cancellationToken);

    public Task<ResourceInstance> CreateResourceInstanceAsync(NewResourceInstance instance, CancellationToken cancellationToken = default) =>
        PostAsync("v2/resource_instances", instance, ClientJsonContext.Default.NewResourceInstance, ClientJsonContext.Default.ResourceInstance,
            cancellationToken);

    /// <summary>A service instance by its GUID or CRN.</summary>
    public Task<ResourceInstance> GetResourceInstanceAsync(string id, CancellationToken cancellationToken = default) =>
        GetAsync("v2/resource_instances/" + Segment(id), ClientJsonContext.Default.ResourceInstance, cancellationToken);

    /// <summary>Every instance that matches, all pages.</summary>
    public async IAsyncEnumerable<ResourceInstance> ListResourceInstancesAsync(ResourceInstanceFilter filter,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var next = Query("v2/resource_instances", ("account_id", filter.AccountId), ("name", filter.Name),
            ("resource_group_id", filter.ResourceGroupId), ("resource_id", filter.ResourceId), ("state", filter.State));
        while (next is not null)
        {
            var page = await GetAsync(next, ClientJsonContext.Default.ResourceInstancePage, cancellationToken);
            foreach (var instance in page.Resources)
                yield return instance;
            next = page.NextUrl?.TrimStart('/');
        }
    }

    /// <summary>Deletes an instance, and with it the authorizations and policies that name it.</summary>
    public Task DeleteResourceInstanceAsync(string id, CancellationToken cancellationToken = default) =>
        SendWithoutAnswerAsync(HttpMethod.Delete, "v2/resource_instances/" + Segment(id), null, cancellationToken);
}
