using System.Collections.Concurrent;
using Tessera.Catalog;
using Tessera.Decisions;
using Tessera.Model;
using Tessera.Policies;
using Tessera.Storage;

namespace Tessera.Management;

/// <summary>
/// Decides every management request with the same engine that decides S2S authorizations: may this caller do this
/// IBM action (<c>iam.policy.create</c>, <c>resource-controller.instance.delete</c>, …) on this resource? An account's
/// owner holds everything in it; anyone else holds what access policies (their own, their access groups') or, for a
/// service instance, authorizations grant. Deny by default.
/// </summary>
public sealed class AccessAuthority(ITesseraStore store, Decider decider, DecisionIndex index, ResourceDirectory directory, ServiceCatalog catalog)
{
    // Accounts never change owner, so their owners are remembered once read.
    private readonly ConcurrentDictionary<string, string> _ownerByAccount = new(StringComparer.Ordinal);
    private readonly CatalogRoleActions _roleActions = new(catalog);

    public async ValueTask<bool> IsOwnerAsync(Caller caller, string accountId, CancellationToken cancellationToken)
    {
        if (caller.AccountId != accountId)
            return false;
        if (!_ownerByAccount.TryGetValue(accountId, out var owner))
        {
            if (await store.GetAccountAsync(accountId, cancellationToken) is not { } account)
                return false;
            owner = _ownerByAccount[accountId] = account.OwnerIamId;
        }
        return owner == caller.IamId;
    }

    /// <summary>Whether the caller may do <paramref name="action"/> on <paramref name="resource"/> (completed from the directory).</summary>
    public async ValueTask<bool> AllowsAsync(Caller caller, string action, Attributes resource, CancellationToken cancellationToken)
    {
        if (resource.AccountId is null)
            return false;
        return await IsOwnerAsync(caller, resource.AccountId, cancellationToken) || Permits(caller, action, directory.Complete(resource));
    }

    /// <summary>
    /// The actions of <paramref name="roles"/> on <paramref name="targetService"/> that the caller does not hold on
    /// <paramref name="resource"/>: R3's "a caller can grant only access it holds itself". Empty when it holds them all.
    /// </summary>
    public async ValueTask<IReadOnlyList<string>> MissingActionsAsync(Caller caller, string targetService, IReadOnlyList<string> roles, Attributes resource,
        CancellationToken cancellationToken)
    {
        if (resource.AccountId is null)
            return ["(no account)"];
        if (await IsOwnerAsync(caller, resource.AccountId, cancellationToken))
            return [];
        var completed = directory.Complete(resource);
        return roles.SelectMany(role => _roleActions.ActionsOf(role, targetService) ?? [])
            .Distinct(StringComparer.Ordinal)
            .Where(action => !Permits(caller, action, completed))
            .Order(StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>
    /// The roles that carry <paramref name="action"/> on the resource's service, by display name (platform roles first),
    /// so that a refusal can say what would allow it: "the Administrator role on kms in account …".
    /// </summary>
    public IReadOnlyList<string> RolesGranting(string action, in Attributes resource)
    {
        var services = resource.ServiceName is { } name && catalog.FindService(name) is { } one ? [one] : catalog.Services;
        var roles = catalog.PlatformRoles.Where(r => r.Actions.Contains(action, StringComparer.Ordinal)).Select(r => r.DisplayName).ToList();
        roles.AddRange(services.SelectMany(s => s.ServiceRoles).Where(r => r.Actions.Contains(action, StringComparer.Ordinal)).Select(r => r.DisplayName));
        return roles.Distinct(StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// What a list of the account's policies may need to read for a caller who is not its owner: the target services
    /// where it holds <paramref name="action"/> and what it delegated, or null when a grant spans services (a resource
    /// group, every service, a pattern) and every row must be checked. A caller with no such grant and nothing it
    /// delegated gets an empty scope, which reads nothing: the list costs what it returns.
    /// </summary>
    public PolicyScope? PolicyScopeOf(Caller caller, string accountId, string action)
    {
        var services = new SortedSet<string>(StringComparer.Ordinal);
        var subject = SubjectOf(caller);
        foreach (var asSubject in SubjectsOf(subject))
        {
            foreach (var scope in index.SearchResources(asSubject, action))
            {
                // A pattern (stringMatch:…) cannot bound the read: such a grant is checked row by row over the whole account.
                if (!scope.Properties.TryGetValue(AttributeNames.AccountId, out var account) || IsPattern(account))
                    return null;
                if (account != accountId)
                    continue;
                if (!scope.Properties.TryGetValue(AttributeNames.ServiceName, out var service) || IsPattern(service))
                    return null;
                services.Add(service);
            }
        }
        return new PolicyScope([.. services], caller.InstanceCrn);
    }

    private static bool IsPattern(string scopeValue) => scopeValue.StartsWith("string", StringComparison.Ordinal) && scopeValue.Contains(':', StringComparison.Ordinal);

    /// <summary>The caller as a decision subject: a service instance by its CRN's attributes, a user or service ID by iam_id.</summary>
    public Attributes SubjectOf(Caller caller)
    {
        if (caller.InstanceCrn is { } instanceCrn && Crn.TryParse(instanceCrn, out var crn, out _))
            return directory.Complete(new Attributes(crn.AccountId, crn.ServiceName, crn.ServiceInstance, Region: crn.Region, IamId: caller.IamId));
        return new Attributes(AccountId: caller.AccountId, IamId: caller.IamId);
    }

    /// <summary>The subject itself and, for a user or service ID, the same subject as each access group it is in.</summary>
    private IEnumerable<Attributes> SubjectsOf(Attributes subject)
    {
        yield return subject;
        if (subject.IamId is not { } iamId)
            yield break;
        foreach (var group in directory.GroupsOf(iamId))
            yield return subject with { AccessGroupId = group };
    }

    /// <summary>The engine's answer for the caller (and its access groups), without the owner's implicit rights.</summary>
    public bool Permits(Caller caller, string action, in Attributes resource) =>
        decider.Check(new DecisionRequest(SubjectOf(caller), action, resource)).Permit;

    /// <summary>The concrete resource a policy's exact resource constraints describe (what a manager of it must hold rights on).</summary>
    public static Attributes ResourceOf(IReadOnlyList<AttributeConstraint> resource)
    {
        var attributes = default(Attributes);
        foreach (var constraint in resource)
        {
            if (constraint.Operator != AttributeOperator.StringEquals || !AttributeSlots.TryFromName(constraint.Name, out var slot))
                continue;
            var value = Crn.InstanceGuidOrSelf(constraint.Name, constraint.Value);
            attributes = slot switch
            {
                AttributeSlot.AccountId => attributes with { AccountId = value },
                AttributeSlot.ServiceName => attributes with { ServiceName = value },
                AttributeSlot.ServiceInstance => attributes with { ServiceInstance = value },
                AttributeSlot.ResourceGroupId => attributes with { ResourceGroupId = value },
                AttributeSlot.ResourceType => attributes with { ResourceType = value },
                AttributeSlot.Resource => attributes with { Resource = value },
                AttributeSlot.Region => attributes with { Region = value },
                _ => attributes,
            };
        }
        // A resource group named by type alone (IBM's target "resourceType: resource-group") is the resource controller's.
        return attributes is { ServiceName: null, ResourceType: Crn.ResourceGroupType } ? attributes with { ServiceName = Crn.ResourceController } : attributes;
    }
}
