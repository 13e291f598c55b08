using System.Data.Common;
using Tessera.Audit;
using Tessera.Model;

namespace Tessera.Storage.Relational;

// Access groups and their memberships.
public abstract partial class RelationalStore
{
    public async ValueTask<AccessGroup?> GetAccessGroupAsync(string id, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await GetAccessGroupAsync(connection, null, id, cancellationToken);
    }

    public async ValueTask<IReadOnlyList<AccessGroup>> ListAccessGroupsAsync(string accountId, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await ReadAllAsync(connection, null,
            $"SELECT {AccessGroupColumns} FROM access_groups WHERE account_id = @account AND deleted = 0 ORDER BY created_at, id",
            ReadAccessGroup, cancellationToken, ("@account", accountId));
    }

    public async ValueTask<WriteResult<AccessGroup>> CreateAccessGroupAsync(AccessGroup group, AuditEvent auditEvent, CancellationToken cancellationToken) =>
        await WriteAsync(async (connection, transaction, revision, _) =>
        {
            if (await ScalarAsync(connection, transaction, "SELECT id FROM access_groups WHERE account_id = @account AND name = @name AND deleted = 0",
                    cancellationToken, ("@account", group.AccountId), ("@name", group.Name)) is string existingId)
            {
                return (new WriteResult<AccessGroup>(WriteStatus.Conflict, await GetAccessGroupAsync(connection, transaction, existingId, cancellationToken)), false);
            }
            await ExecuteAsync(connection, transaction,
                $"INSERT INTO access_groups ({AccessGroupColumns}) VALUES (@id, @account, @name, @description, @at, @by, @at, @by, 0)", cancellationToken,
                ("@id", group.Id), ("@account", group.AccountId), ("@name", group.Name), ("@description", group.Description),
                ("@at", Format(group.CreatedAt)), ("@by", group.CreatedById));
            await InsertEventAsync(connection, transaction, auditEvent, revision, cancellationToken);
            return (WriteResult.Ok(group), true);
        }, cancellationToken);

    public async ValueTask<WriteResult<AccessGroup>> DeleteAccessGroupAsync(string id, string actorId, DateTimeOffset at, AuditEvent auditEvent,
        ICascadeEvents cascade, CancellationToken cancellationToken) =>
        await WriteAsync(async (connection, transaction, revision, changes) =>
        {
            var current = await GetAccessGroupAsync(connection, transaction, id, cancellationToken);
            if (current is null || current.Deleted)
                return (WriteResult.Refused<AccessGroup>(WriteStatus.NotFound), false);
            await ExecuteAsync(connection, transaction, "UPDATE access_groups SET deleted = 1, modified_at = @at, modified_by_id = @by WHERE id = @id",
                cancellationToken, ("@id", id), ("@at", Format(at)), ("@by", actorId));
            await InsertEventAsync(connection, transaction, auditEvent, revision, cancellationToken);
            await EndMembershipsAsync(connection, transaction, revision, "group_id = @id", changes, cascade, cancellationToken, ("@id", id));
            await CascadePoliciesAsync(connection, transaction, revision, changes, "subject_id = @id", actorId, at, cascade, cancellationToken, ("@id", id));
            return (WriteResult.Ok(current with { Deleted = true, ModifiedAt = at, ModifiedById = actorId }), true);
        }, cancellationToken);

    public async ValueTask<IReadOnlyList<GroupMembership>> ListMembersAsync(string groupId, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await ReadAllAsync(connection, null, $"SELECT {MemberColumns} FROM group_members WHERE group_id = @group AND removed = 0 ORDER BY added_at, iam_id",
            ReadMembership, cancellationToken, ("@group", groupId));
    }

    public async IAsyncEnumerable<GroupMembership> ReadMembershipsAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var rows = await QueryAsync(connection, null, $"SELECT {MemberColumns} FROM group_members WHERE removed = 0", cancellationToken);
        var reader = rows.Reader;
        while (await reader.ReadAsync(cancellationToken))
            yield return ReadMembership(reader);
    }

    public async ValueTask<IReadOnlyList<GroupMembership>> AddMembersAsync(IReadOnlyList<GroupMembership> members, Func<GroupMembership, AuditEvent> memberEvent,
        CancellationToken cancellationToken) =>
        await WriteAsync<IReadOnlyList<GroupMembership>>(async (connection, transaction, revision, changes) =>
        {
            var held = new List<GroupMembership>(members.Count);
            foreach (var member in members)
            {
                // R7 against interleaved writes: the group and the member must be live when the membership is stored.
                if (await GetAccessGroupAsync(connection, transaction, member.GroupId, cancellationToken) is not { Deleted: false } group
                    || group.AccountId != member.AccountId
                    || await GetIdentityAsync(connection, transaction, member.IamId, cancellationToken) is not
                        { Deleted: false, Kind: IdentityKind.User or IdentityKind.ServiceId } identity
                    || identity.AccountId != member.AccountId)
                {
                    continue;
                }
                var added = await ScalarAsync(connection, transaction,
                    $"""
                    INSERT INTO group_members ({MemberColumns}, removed, revision) VALUES (@group, @iam, @account, @at, @by, 0, @revision)
                    ON CONFLICT (group_id, iam_id) DO UPDATE SET removed = 0, revision = @revision, added_at = @at, added_by = @by
                    WHERE group_members.removed = 1
                    RETURNING 1
                    """,
                    cancellationToken, ("@group", member.GroupId), ("@iam", member.IamId), ("@account", member.AccountId), ("@at", Format(member.AddedAt)),
                    ("@by", member.AddedBy), ("@revision", revision));
                held.Add(member);
                if (added is null)
                    continue;
                await InsertEventAsync(connection, transaction, memberEvent(member), revision, cancellationToken);
                changes.Memberships.Add(member);
            }
            return (held, changes.Memberships.Count > 0);
        }, cancellationToken);

    public async ValueTask<WriteResult<GroupMembership>> RemoveMemberAsync(string groupId, string iamId, AuditEvent auditEvent, CancellationToken cancellationToken) =>
        await WriteAsync(async (connection, transaction, revision, changes) =>
        {
            var removed = await ReadAllAsync(connection, transaction,
                $"UPDATE group_members SET removed = 1, revision = @revision WHERE group_id = @group AND iam_id = @iam AND removed = 0 RETURNING {MemberColumns}",
                ReadMembership, cancellationToken, ("@group", groupId), ("@iam", iamId), ("@revision", revision));
            if (removed.Count == 0)
                return (WriteResult.Refused<GroupMembership>(WriteStatus.NotFound), false);
            await InsertEventAsync(connection, transaction, auditEvent, revision, cancellationToken);
            var ended = removed[0] with { Removed = true };
            changes.Memberships.Add(ended);
            return (WriteResult.Ok(ended), true);
        }, cancellationToken);

    private static async ValueTask EndMembershipsAsync(DbConnection connection, DbTransaction transaction, long revision, string where,
        Changes changes, ICascadeEvents cascade, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        var ended = await ReadAllAsync(connection, transaction,
            $"UPDATE group_members SET removed = 1, revision = @revision WHERE {where} AND removed = 0 RETURNING {MemberColumns}", ReadMembership,
            cancellationToken, [.. parameters, ("@revision", revision)]);
        foreach (var membership in ended)
        {
            await InsertEventAsync(connection, transaction, cascade.MembershipEnded(membership), revision, cancellationToken);
            changes.Memberships.Add(membership with { Removed = true });
        }
    }

    private static async ValueTask<AccessGroup?> GetAccessGroupAsync(DbConnection connection, DbTransaction? transaction, string id,
        CancellationToken cancellationToken) =>
        (await ReadAllAsync(connection, transaction, $"SELECT {AccessGroupColumns} FROM access_groups WHERE id = @id", ReadAccessGroup,
            cancellationToken, ("@id", id))).SingleOrDefault();
}
