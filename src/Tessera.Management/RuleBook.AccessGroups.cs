using System.Text.Json.Nodes;
using Tessera.Decisions;
using Tessera.Model;
using Tessera.Storage;

namespace Tessera.Management;

// Access groups and their members (IBM IAM Access Groups). Policies granted to a group apply to its members; deleting a
// group ends its memberships and deletes its policies (R7).
public sealed partial class RuleBook
{
    private const string AccessGroupRead = "iam-groups.groups.read";

    private static Attributes AccessGroupResource(string accountId, string? groupId) =>
        new(AccountId: accountId, ServiceName: "iam-groups", ResourceType: groupId is null ? null : "group", Resource: groupId);

    public async ValueTask<Outcome<AccessGroup>> CreateAccessGroupAsync(CallContext call, string accountId, string name, string? description,
        CancellationToken cancellationToken)
    {
        var group = new AccessGroup
        {
            Id = AccessGroup.NewId(), AccountId = accountId, Name = name, Description = description,
            CreatedAt = Now, CreatedById = call.Caller.IamId, ModifiedAt = Now, ModifiedById = call.Caller.IamId,
        };
        var target = AuditEvents.AccessGroup(accountId, group.Id, group.Name);
        var resource = AccessGroupResource(accountId, null);
        if (!await authority.AllowsAsync(call.Caller, "iam-groups.groups.create", resource, cancellationToken))
        {
            return Done(call, "accessgroup.create", (Outcome<AccessGroup>)Refuse(call, "iam-groups.groups.create", resource, target,
                $"access groups in account {accountId}", "iam-groups.group.create"));
        }
        var auditEvent = AuditEvents.For(call, Now, accountId, "iam-groups.group.create", target, 201, $"create access group {group.Id}",
            new JsonObject { ["name"] = name, ["description"] = description });
        var result = await store.CreateAccessGroupAsync(group, auditEvent, cancellationToken);
        return Done(call, "accessgroup.create", result.Status == WriteStatus.Ok
            ? Outcome.Created(result.Value!)
            : Outcome.Conflict($"Account {accountId} already has an access group named '{name}'."));
    }

    public async ValueTask<IReadOnlyList<AccessGroup>> ListAccessGroupsAsync(CallContext call, string accountId, CancellationToken cancellationToken)
    {
        var visible = new List<AccessGroup>();
        foreach (var group in await store.ListAccessGroupsAsync(accountId, cancellationToken))
        {
            if (await authority.AllowsAsync(call.Caller, AccessGroupRead, AccessGroupResource(accountId, group.Id), cancellationToken))
                visible.Add(group);
        }
        return visible;
    }

    public async ValueTask<Outcome<AccessGroup>> GetAccessGroupAsync(CallContext call, string id, CancellationToken cancellationToken) =>
        await FindAccessGroupAsync(call, id, AccessGroupRead, cancellationToken);

    public async ValueTask<Outcome<AccessGroup>> DeleteAccessGroupAsync(CallContext call, string id, CancellationToken cancellationToken)
    {
        var found = await FindAccessGroupAsync(call, id, "iam-groups.groups.delete", cancellationToken);
        if (found.Value is not { } group)
            return Done(call, "accessgroup.delete", found);
        var auditEvent = AuditEvents.For(call, Now, group.AccountId, "iam-groups.group.delete", AuditEvents.AccessGroup(group.AccountId, id, group.Name), 204,
            $"delete access group {id}");
        var result = await store.DeleteAccessGroupAsync(id, call.Caller.IamId, Now, auditEvent,
            new CascadeEvents(call, Now, catalog, $"access group {id} was deleted"), cancellationToken);
        return Done(call, "accessgroup.delete", result.Status == WriteStatus.Ok ? Outcome.Ok(result.Value!) : AccessGroupNotFound(id));
    }

    /// <summary>
    /// Adds users and service IDs of the group's own account; the others are reported as not found, not added. The
    /// store adds a member only if it is still live when the write runs, so a concurrent deletion never leaves one behind.
    /// </summary>
    public async ValueTask<Outcome<IReadOnlyList<MemberAdded>>> AddMembersAsync(CallContext call, string id, IReadOnlyList<string> iamIds,
        CancellationToken cancellationToken)
    {
        var found = await FindAccessGroupAsync(call, id, "iam-groups.members.add", cancellationToken);
        if (found.Value is not { } group)
            return Done(call, "accessgroup.members.add", (Outcome<IReadOnlyList<MemberAdded>>)new Failure(found.Kind, found.Problem!));
        var candidates = new List<(string IamId, Identity? Identity)>();
        var toAdd = new List<GroupMembership>();
        foreach (var iamId in iamIds.Distinct(StringComparer.Ordinal))
        {
            var identity = await store.GetIdentityAsync(iamId, cancellationToken);
            var eligible = identity is { Deleted: false, Kind: IdentityKind.User or IdentityKind.ServiceId } && identity.AccountId == group.AccountId;
            candidates.Add((iamId, eligible ? identity : null));
            if (eligible)
                toAdd.Add(new GroupMembership(id, iamId, group.AccountId, Now, call.Caller.IamId));
        }
        var held = (await store.AddMembersAsync(toAdd, member => AuditEvents.For(call, Now, group.AccountId, "iam-groups.member.add",
            AuditEvents.AccessGroup(group.AccountId, id, group.Name), 200, $"add member {member.IamId} to access group {id}",
            new JsonObject { ["iam_id"] = member.IamId }), cancellationToken)).ToDictionary(m => m.IamId, StringComparer.Ordinal);
        var results = candidates
            .Select(c => new MemberAdded(c.IamId, held.ContainsKey(c.IamId) ? c.Identity : null, held.GetValueOrDefault(c.IamId)))
            .ToList();
        return Done(call, "accessgroup.members.add", Outcome.Ok<IReadOnlyList<MemberAdded>>(results));
    }

    /// <summary>The group's members with their identities (null where the identity is gone).</summary>
    public async ValueTask<Outcome<IReadOnlyList<(GroupMembership Membership, Identity? Identity)>>> ListMembersAsync(CallContext call, string id,
        CancellationToken cancellationToken)
    {
        var found = await FindAccessGroupAsync(call, id, AccessGroupRead, cancellationToken);
        if (found.Value is null)
            return new Failure(found.Kind, found.Problem!);
        var members = new List<(GroupMembership, Identity?)>();
        foreach (var member in await store.ListMembersAsync(id, cancellationToken))
            members.Add((member, await store.GetIdentityAsync(member.IamId, cancellationToken)));
        return Outcome.Ok<IReadOnlyList<(GroupMembership, Identity?)>>(members);
    }

    public async ValueTask<Outcome<GroupMembership>> RemoveMemberAsync(CallContext call, string id, string iamId, CancellationToken cancellationToken)
    {
        var found = await FindAccessGroupAsync(call, id, "iam-groups.members.remove", cancellationToken);
        if (found.Value is not { } group)
            return Done(call, "accessgroup.members.remove", (Outcome<GroupMembership>)new Failure(found.Kind, found.Problem!));
        var auditEvent = AuditEvents.For(call, Now, group.AccountId, "iam-groups.member.remove", AuditEvents.AccessGroup(group.AccountId, id, group.Name), 204,
            $"remove member {iamId} from access group {id}", new JsonObject { ["iam_id"] = iamId });
        var result = await store.RemoveMemberAsync(id, iamId, auditEvent, cancellationToken);
        return Done(call, "accessgroup.members.remove", result.Status == WriteStatus.Ok
            ? Outcome.Ok(result.Value!)
            : Outcome.NotFound($"Member {iamId} of access group {id}"));
    }

    private async ValueTask<Outcome<AccessGroup>> FindAccessGroupAsync(CallContext call, string id, string action, CancellationToken cancellationToken)
    {
        if (id.Length > 80 || await store.GetAccessGroupAsync(id, cancellationToken) is not { Deleted: false } group)
            return AccessGroupNotFound(id);
        var refusal = await GuardAsync(call, action, AccessGroupRead, AccessGroupResource(group.AccountId, id),
            AuditEvents.AccessGroup(group.AccountId, id, group.Name), $"Access group {id}", cancellationToken);
        return refusal is null ? Outcome.Ok(group) : refusal;
    }

    private static Failure AccessGroupNotFound(string id) => Outcome.NotFound($"Access group {id}");
}

/// <summary>One requested member: added (or already there) with its identity and membership, or not (both null).</summary>
public sealed record MemberAdded(string IamId, Identity? Identity, GroupMembership? Membership);
