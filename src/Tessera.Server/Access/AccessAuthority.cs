using System.Collections.Concurrent;
using Tessera.Decisions;
using Tessera.Model;
using Tessera.Policies;
using Tessera.Server.Identity;
using Tessera.Storage;

namespace Tessera.Server.Access;

/// <summary>
/// Decides every management request with the same engine that decides S2S authorizations: may this caller do this
/// IBM action (<c>iam.policy.create</c>, <c>resource-controller.instance.delete</c>, …) on this resource? An account's
/// owner holds everything in it; anyone else holds what access policies (their own, their access groups') or, for a
/// service instance, authorizations grant. Deny by default.
/// </summary>
internal sealed class AccessAuthority(ITesseraStore store, Decider decider, ResourceDirectory directory)
{
    // Accounts never change owner, so their owners are remembered once read.
    private readonly ConcurrentDictionary<string, string> _ownerByAccount = new(StringComparer.Ordinal);

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
        IRoleActions roleActions, CancellationToken cancellationToken)
    {
        if (resource.AccountId is null)
            return ["(no account)"];
        if (await IsOwnerAsync(caller, resource.AccountId, cancellationToken))
            return [];
        var completed = directory.Complete(resource);
        return roles.SelectMany(role => roleActions.ActionsOf(role, targetService) ?? [])
            .Distinct(StringComparer.Ordinal)
            .Where(action => !Permits(caller, action, completed))
            .Order(StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>The caller as a decision subject: a service instance by its CRN's attributes, a user or service ID by iam_id.</summary>
    public Attributes SubjectOf(Caller caller)
    {
        if (caller.IamId.StartsWith(Model.Identity.InstanceIamPrefix, StringComparison.Ordinal)
            && Crn.TryParse(caller.IamId[Model.Identity.InstanceIamPrefix.Length..], out var crn, out _))
        {
            return directory.Complete(new Attributes(crn.AccountId, crn.ServiceName, crn.ServiceInstance, Region: crn.Region, IamId: caller.IamId));
        }
        return new Attributes(AccountId: caller.AccountId, IamId: caller.IamId);
    }

    /// <summary>The engine's answer for the caller (and its access groups).</summary>
    private bool Permits(Caller caller, string action, in Attributes resource) =>
        decider.Check(new DecisionRequest(SubjectOf(caller), action, resource)).Permit;

    /// <summary>The concrete resource a policy's exact resource constraints describe (what a manager of it must hold rights on).</summary>
    public static Attributes ResourceOf(IReadOnlyList<AttributeConstraint> resource)
    {
        var attributes = default(Attributes);
        foreach (var constraint in resource)
        {
            if (constraint.Operator != AttributeOperator.StringEquals || !AttributeSlots.TryFromName(constraint.Name, out var slot))
                continue;
            var value = DecisionIndex.InstanceGuidOrSelf(constraint.Name, constraint.Value);
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
        return attributes;
    }
}
