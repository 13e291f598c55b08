using System.Text.Json.Nodes;
using Tessera.Decisions;
using Tessera.Model;
using Tessera.Policies;
using Tessera.Storage;

namespace Tessera.Management;

// Resource groups and service instances (IBM Resource Manager and Resource Controller). Deleting an instance marks it
// removed and, in the same transaction, deletes every policy bound to it (R7); a group goes only when it is empty.
public sealed partial class RuleBook
{
    private const string GroupRead = "resource-controller.group.retrieve";
    private const string InstanceRead = "resource-controller.instance.retrieve";

    public static Attributes ResourceGroupResource(string accountId, string? groupId) =>
        new(AccountId: accountId, ServiceName: Crn.ResourceController, ResourceType: groupId is null ? null : Crn.ResourceGroupType, Resource: groupId);

    private static Attributes InstanceResource(ServiceInstance instance) =>
        new(instance.AccountId, instance.ServiceName, instance.Guid, instance.ResourceGroupId, Region: instance.Region);

    public async ValueTask<Outcome<ResourceGroup>> CreateResourceGroupAsync(CallContext call, string accountId, string name, CancellationToken cancellationToken)
    {
        const string Action = "resource-controller.group.create";
        var group = new ResourceGroup(Ids.NewHex32(), accountId, name, IsDefault: false, Now);
        var resource = ResourceGroupResource(accountId, null);
        if (!await authority.AllowsAsync(call.Caller, Action, resource, cancellationToken))
        {
            return Done(call, "group.create", (Outcome<ResourceGroup>)Refuse(call, Action, resource, AuditEvents.ResourceGroup(group),
                $"resource groups in account {accountId}"));
        }
        var auditEvent = AuditEvents.For(call, Now, accountId, Action, AuditEvents.ResourceGroup(group), 201, $"create resource group {group.Id}",
            new JsonObject { ["name"] = name });
        var result = await store.CreateResourceGroupAsync(group, auditEvent, cancellationToken);
        return Done(call, "group.create", Outcome.Created(result.Value!));
    }

    public async ValueTask<IReadOnlyList<ResourceGroup>> ListResourceGroupsAsync(CallContext call, string accountId, string? name, bool onlyDefault,
        CancellationToken cancellationToken)
    {
        var visible = new List<ResourceGroup>();
        foreach (var group in await store.ListResourceGroupsAsync(accountId, cancellationToken))
        {
            if ((name is null || group.Name == name) && (!onlyDefault || group.IsDefault)
                && await authority.AllowsAsync(call.Caller, GroupRead, ResourceGroupResource(accountId, group.Id), cancellationToken))
            {
                visible.Add(group);
            }
        }
        return visible;
    }

    public async ValueTask<Outcome<ResourceGroup>> GetResourceGroupAsync(CallContext call, string id, CancellationToken cancellationToken) =>
        await FindResourceGroupAsync(call, id, GroupRead, cancellationToken);

    public async ValueTask<Outcome<ResourceGroup>> RenameResourceGroupAsync(CallContext call, string id, string name, CancellationToken cancellationToken)
    {
        var found = await FindResourceGroupAsync(call, id, "resource-controller.group.update", cancellationToken);
        if (found.Value is not { } group)
            return Done(call, "group.update", found);
        var auditEvent = AuditEvents.For(call, Now, group.AccountId, "resource-controller.group.update", AuditEvents.ResourceGroup(group), 200,
            $"rename resource group {id}", new JsonObject { ["name"] = name });
        var result = await store.RenameResourceGroupAsync(id, name, Now, auditEvent, cancellationToken);
        return Done(call, "group.update", result.Status == WriteStatus.Ok ? Outcome.Ok(result.Value!) : ResourceGroupNotFound(id));
    }

    public async ValueTask<Outcome<ResourceGroup>> DeleteResourceGroupAsync(CallContext call, string id, CancellationToken cancellationToken)
    {
        var found = await FindResourceGroupAsync(call, id, "resource-controller.group.delete", cancellationToken);
        if (found.Value is not { } group)
            return Done(call, "group.delete", found);
        var auditEvent = AuditEvents.For(call, Now, group.AccountId, "resource-controller.group.delete", AuditEvents.ResourceGroup(group), 204,
            $"delete resource group {id}");
        var result = await store.DeleteResourceGroupAsync(id, call.Caller.IamId, Now, auditEvent,
            new CascadeEvents(call, Now, catalog, $"resource group {id} was deleted"), cancellationToken);
        return Done(call, "group.delete", result.Status switch
        {
            WriteStatus.Ok => Outcome.Ok(result.Value!),
            WriteStatus.NotEmpty => Outcome.NotEmpty(group.IsDefault
                ? $"Resource group {id} is the account's default group and cannot be deleted."
                : $"Resource group {id} still holds service instances; delete them first."),
            _ => ResourceGroupNotFound(id),
        });
    }

    private async ValueTask<Outcome<ResourceGroup>> FindResourceGroupAsync(CallContext call, string id, string action, CancellationToken cancellationToken)
    {
        if (id.Length > 64 || await store.GetResourceGroupAsync(id, cancellationToken) is not { Deleted: false } group)
            return ResourceGroupNotFound(id);
        var refusal = await GuardAsync(call, action, GroupRead, ResourceGroupResource(group.AccountId, id), AuditEvents.ResourceGroup(group),
            $"Resource group {id}", cancellationToken);
        return refusal is null ? Outcome.Ok(group) : refusal;
    }

    private static Failure ResourceGroupNotFound(string id) => Outcome.NotFound($"Resource group {id}");

    /// <summary>A new instance of the service whose catalog plan is <paramref name="planId"/>, in a group the caller can see.</summary>
    public async ValueTask<Outcome<ServiceInstance>> CreateInstanceAsync(CallContext call, string name, string region, string groupId, string planId,
        CancellationToken cancellationToken)
    {
        const string Action = "resource-controller.instance.create";
        var service = catalog.Services.FirstOrDefault(s => s.Plans.Any(p => p.Id == planId));
        if (service is null)
        {
            return Done(call, "instance.create", (Outcome<ServiceInstance>)Outcome.Invalid(
                $"resource_plan_id '{planId}' is not a plan of any service in the catalog (see GET /v1/catalog/services)", "resource_plan_id"));
        }
        // A group the caller may not see is answered like a missing one.
        var unseen = Outcome.Invalid($"resource_group '{groupId}' is not a resource group you can see", "resource_group");
        var group = await store.GetResourceGroupAsync(groupId, cancellationToken);
        if (group is null || group.Deleted
            || !await authority.AllowsAsync(call.Caller, GroupRead, ResourceGroupResource(group.AccountId, group.Id), cancellationToken))
        {
            return Done(call, "instance.create", (Outcome<ServiceInstance>)unseen);
        }
        var instance = new ServiceInstance
        {
            Guid = Ids.NewUuid(),
            AccountId = group.AccountId,
            ServiceName = service.Name,
            Region = region,
            Name = name,
            ResourceGroupId = group.Id,
            PlanId = planId,
            CreatedAt = Now,
            CreatedBy = call.Caller.IamId,
        };
        var resource = new Attributes(group.AccountId, service.Name, ResourceGroupId: group.Id, Region: region);
        if (!await authority.AllowsAsync(call.Caller, Action, resource, cancellationToken))
        {
            return Done(call, "instance.create", (Outcome<ServiceInstance>)Refuse(call, Action, resource, AuditEvents.Instance(instance),
                $"{service.Name} instances in resource group {group.Id}"));
        }
        var auditEvent = AuditEvents.For(call, Now, group.AccountId, Action, AuditEvents.Instance(instance), 201, $"create instance {instance.Guid}",
            new JsonObject { ["name"] = name, ["target"] = region, ["resource_group"] = group.Id, ["resource_plan_id"] = planId });
        var result = await store.CreateInstanceAsync(instance, auditEvent, cancellationToken);
        return Done(call, "instance.create", result.Status == WriteStatus.Ok ? Outcome.Created(result.Value!) : unseen);
    }

    /// <summary>An instance by GUID or CRN, removed ones included (they answer with <c>state: removed</c>).</summary>
    public async ValueTask<Outcome<ServiceInstance>> GetInstanceAsync(CallContext call, string id, CancellationToken cancellationToken) =>
        await FindInstanceAsync(call, id, InstanceRead, cancellationToken);

    /// <summary>
    /// A page of the instances the caller may see; pages are filled from later rows rather than cut short. The outcome
    /// says whether more follow.
    /// </summary>
    public async ValueTask<(IReadOnlyList<ServiceInstance> Instances, bool More)> ListInstancesAsync(CallContext call, InstanceQuery query,
        CancellationToken cancellationToken)
    {
        var visible = new List<ServiceInstance>(query.Limit);
        while (true)
        {
            var page = await store.ListInstancesAsync(query, cancellationToken);
            foreach (var instance in page)
            {
                if (!await authority.AllowsAsync(call.Caller, InstanceRead, InstanceResource(instance), cancellationToken))
                    continue;
                if (visible.Count == query.Limit)
                    return (visible, true);
                visible.Add(instance);
            }
            if (page.Count < query.Limit)
                return (visible, false);
            query = query with { After = (page[^1].CreatedAt, page[^1].Guid) };
        }
    }

    /// <summary>Removes an instance and, in the same transaction, every policy bound to it and its identity's keys (R7).</summary>
    public async ValueTask<Outcome<ServiceInstance>> DeleteInstanceAsync(CallContext call, string id, CancellationToken cancellationToken)
    {
        var found = await FindInstanceAsync(call, id, "resource-controller.instance.delete", cancellationToken);
        if (found.Value is not { } instance)
            return Done(call, "instance.delete", found);
        if (instance.Removed)
            return Done(call, "instance.delete", (Outcome<ServiceInstance>)InstanceNotFound(id));
        var auditEvent = AuditEvents.For(call, Now, instance.AccountId, "resource-controller.instance.delete", AuditEvents.Instance(instance), 204,
            $"delete instance {instance.Guid}");
        var result = await store.RemoveInstanceAsync(instance.Guid, call.Caller.IamId, Now, auditEvent,
            new CascadeEvents(call, Now, catalog, $"instance {instance.Crn} was deleted"), cancellationToken);
        return Done(call, "instance.delete", result.Status == WriteStatus.Ok ? Outcome.Ok(result.Value!) : InstanceNotFound(id));
    }

    private async ValueTask<Outcome<ServiceInstance>> FindInstanceAsync(CallContext call, string id, string action, CancellationToken cancellationToken)
    {
        var guid = id;
        if (guid.StartsWith("crn:", StringComparison.Ordinal))
            guid = Crn.TryParse(guid, out var crn, out _) ? crn.ServiceInstance : string.Empty;
        if (guid.Length is 0 or > 64 || await store.GetInstanceAsync(guid, cancellationToken) is not { } instance)
            return InstanceNotFound(id);
        var refusal = await GuardAsync(call, action, InstanceRead, InstanceResource(instance), AuditEvents.Instance(instance), $"Instance {id}",
            cancellationToken);
        return refusal is null ? Outcome.Ok(instance) : refusal;
    }

    private static Failure InstanceNotFound(string id) => Outcome.NotFound($"Instance {id}");

    /// <summary>
    /// What deleting the instance takes with it (R7), as far as the caller may see: the policies bound to it as source,
    /// as target, or as the delegator that created them. (Authorizations other accounts granted to it go too, unseen here.)
    /// </summary>
    public ValueTask<IReadOnlyList<Policy>> PoliciesRemovedWithAsync(CallContext call, ServiceInstance instance, CancellationToken cancellationToken) =>
        VisiblePoliciesAsync(call, instance.AccountId, policy => PolicyBindings.Of(policy) is var bound
            && (bound.SourceInstance == instance.Guid || bound.TargetInstance == instance.Guid || bound.DelegatorInstance == instance.Guid), cancellationToken);

    /// <summary>What deleting the resource group takes with it (R7), as far as the caller may see: the policies that name it.</summary>
    public ValueTask<IReadOnlyList<Policy>> PoliciesRemovedWithAsync(CallContext call, ResourceGroup group, CancellationToken cancellationToken) =>
        VisiblePoliciesAsync(call, group.AccountId, policy => PolicyBindings.NamesResourceGroup(policy, group.Id), cancellationToken);

    /// <summary>Every policy of the account that the caller may view (R3) and that <paramref name="selected"/> picks.</summary>
    private async ValueTask<IReadOnlyList<Policy>> VisiblePoliciesAsync(CallContext call, string accountId, Func<Policy, bool> selected,
        CancellationToken cancellationToken)
    {
        var found = new List<Policy>();
        var query = new PolicyQuery { AccountId = accountId, Limit = 500 };
        while (true)
        {
            var page = await ListPoliciesAsync(call, query, cancellationToken);
            if (!page.Succeeded)
                return found;
            found.AddRange(page.Value!.Policies.Where(selected));
            if (page.Value.Next is null)
                return found;
            query = query with { After = page.Value.Next };
        }
    }
}
