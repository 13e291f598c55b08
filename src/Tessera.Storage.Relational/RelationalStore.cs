using System.Data.Common;
using System.Globalization;
using Tessera.Audit;
using Tessera.Model;
using Tessera.Policies;

namespace Tessera.Storage.Relational;

/// <summary>
/// Everything the SQLite and PostgreSQL stores share: the schema's tables and the SQL over them, written once in the
/// dialect both understand (named <c>@parameters</c>, flags as integers, <c>RETURNING</c>, <c>ON CONFLICT</c>). A
/// provider supplies connections, migrations, how its writers are ordered and what happens after a commit.
/// <para>
/// Every write is one transaction that first advances the revision row. That row is locked until commit, so writers
/// are serialized in the database itself: committed revisions have no gaps, an ETag or duplicate check inside the
/// transaction sees every earlier commit (R6 and If-Match hold across nodes), and event sequence numbers follow commit
/// order, which lets a reader of the trail resume after any event without missing one.
/// </para>
/// </summary>
public abstract class RelationalStore : ITesseraStore
{
    private const string TimeFormat = PageCursor.TimeFormat;

    /// <summary>The first <c>UPDATE</c> of every write: advances the revision and locks its row until commit.</summary>
    protected const string NextRevisionSql = "UPDATE revision SET value = value + 1 WHERE id = 1 RETURNING value";

    public abstract ValueTask MigrateAsync(CancellationToken cancellationToken);

    /// <summary>A new open connection, ready for use.</summary>
    protected abstract ValueTask<DbConnection> OpenAsync(CancellationToken cancellationToken);

    /// <summary>Orders this process's writers where the database does not (SQLite); null where it does.</summary>
    protected virtual ValueTask<IDisposable?> EnterWriteAsync(CancellationToken cancellationToken) => ValueTask.FromResult<IDisposable?>(null);

    /// <summary>The last step inside a write's transaction (PostgreSQL: tell the other nodes).</summary>
    protected virtual ValueTask BeforeCommitAsync(DbConnection connection, DbTransaction transaction, long revision, CancellationToken cancellationToken) =>
        ValueTask.CompletedTask;

    /// <summary>After a commit, before the write returns: bring this node's in-memory views up to <see cref="ChangeSet.Revision"/>.</summary>
    protected abstract ValueTask AfterCommitAsync(ChangeSet changes, CancellationToken cancellationToken);

    public async ValueTask<long> GetRevisionAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return Convert.ToInt64(await ScalarAsync(connection, null, "SELECT value FROM revision WHERE id = 1", cancellationToken),
            CultureInfo.InvariantCulture);
    }

    public async ValueTask<bool> HasAccountsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await ScalarAsync(connection, null, "SELECT 1 FROM accounts LIMIT 1", cancellationToken) is not null;
    }

    public async ValueTask<bool> CreateAccountAsync(NewAccount account, AuditEvent auditEvent, CancellationToken cancellationToken) =>
        await WriteAsync(async (connection, transaction, revision, _) =>
        {
            if (account.Account.IsOperator
                && await ScalarAsync(connection, transaction, "SELECT 1 FROM accounts WHERE is_operator = 1", cancellationToken) is not null)
            {
                return (false, false);
            }
            var a = account.Account;
            await ExecuteAsync(connection, transaction,
                "INSERT INTO accounts (id, name, owner_iam_id, created_at, is_operator) VALUES (@id, @name, @owner, @at, @operator)", cancellationToken,
                ("@id", a.Id), ("@name", a.Name), ("@owner", a.OwnerIamId), ("@at", Format(a.CreatedAt)), ("@operator", a.IsOperator));
            await InsertIdentityAsync(connection, transaction, account.Owner, cancellationToken);
            await InsertResourceGroupAsync(connection, transaction, account.DefaultGroup, cancellationToken);
            await InsertApiKeyAsync(connection, transaction, account.OwnerKey, cancellationToken);
            await InsertEventAsync(connection, transaction, auditEvent, revision, cancellationToken);
            return (true, true);
        }, cancellationToken);

    public async ValueTask<Account?> GetAccountAsync(string accountId, CancellationToken cancellationToken) =>
        await FindAccountAsync("id = @id", accountId, cancellationToken);

    public async ValueTask<Account?> GetOperatorAccountAsync(CancellationToken cancellationToken) =>
        await FindAccountAsync("is_operator = 1", null, cancellationToken);

    private async ValueTask<Account?> FindAccountAsync(string where, string? id, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return (await ReadAllAsync(connection, null, $"SELECT id, name, owner_iam_id, created_at, is_operator FROM accounts WHERE {where} LIMIT 1",
            r => new Account(r.GetString(0), r.GetString(1), r.GetString(2), Parse(r.GetString(3)), Flag(r, 4)), cancellationToken, ("@id", id)))
            .SingleOrDefault();
    }

    public async ValueTask<Identity?> GetIdentityAsync(string iamId, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await GetIdentityAsync(connection, null, iamId, cancellationToken);
    }

    public async ValueTask<IReadOnlyList<Identity>> ListIdentitiesAsync(string accountId, IdentityKind kind, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await ReadAllAsync(connection, null,
            $"SELECT {IdentityColumns} FROM identities WHERE account_id = @account AND kind = @kind AND deleted = 0 ORDER BY created_at, iam_id",
            r => ReadIdentity(r, 0), cancellationToken, ("@account", accountId), ("@kind", kind.ToString()));
    }

    public async ValueTask<WriteResult<Identity>> CreateIdentityAsync(Identity identity, AuditEvent auditEvent, CancellationToken cancellationToken) =>
        await WriteAsync(async (connection, transaction, revision, _) =>
        {
            if (await GetIdentityAsync(connection, transaction, identity.IamId, cancellationToken) is { } existing)
                return (new WriteResult<Identity>(WriteStatus.Conflict, existing), false);
            await InsertIdentityAsync(connection, transaction, identity, cancellationToken);
            await InsertEventAsync(connection, transaction, auditEvent, revision, cancellationToken);
            return (WriteResult.Ok(identity), true);
        }, cancellationToken);

    public async ValueTask<WriteResult<Identity>> UpdateIdentityAsync(Identity updated, int? expectedVersion, AuditEvent auditEvent, CancellationToken cancellationToken) =>
        await WriteAsync(async (connection, transaction, revision, _) =>
        {
            var current = await GetIdentityAsync(connection, transaction, updated.IamId, cancellationToken);
            if (current is null || current.Deleted)
                return (WriteResult.Refused<Identity>(WriteStatus.NotFound), false);
            if (expectedVersion is { } version && version != current.Version)
                return (WriteResult.Refused<Identity>(WriteStatus.PreconditionFailed), false);
            var stored = current with
            {
                Name = updated.Name, Description = updated.Description, Locked = updated.Locked, ModifiedAt = updated.ModifiedAt, Version = current.Version + 1,
            };
            await ExecuteAsync(connection, transaction,
                "UPDATE identities SET name = @name, description = @description, locked = @locked, modified_at = @at, version = @version WHERE iam_id = @id",
                cancellationToken, ("@id", stored.IamId), ("@name", stored.Name), ("@description", stored.Description), ("@locked", stored.Locked),
                ("@at", Format(stored.ModifiedAt)), ("@version", stored.Version));
            await InsertEventAsync(connection, transaction, auditEvent, revision, cancellationToken);
            return (WriteResult.Ok(stored), true);
        }, cancellationToken);

    public async ValueTask<WriteResult<Identity>> DeleteIdentityAsync(string iamId, string actorId, DateTimeOffset at, AuditEvent auditEvent,
        ICascadeEvents cascade, CancellationToken cancellationToken) =>
        await WriteAsync(async (connection, transaction, revision, changes) =>
        {
            var current = await GetIdentityAsync(connection, transaction, iamId, cancellationToken);
            if (current is null || current.Deleted)
                return (WriteResult.Refused<Identity>(WriteStatus.NotFound), false);
            var stored = current with { Deleted = true, ModifiedAt = at, Version = current.Version + 1 };
            await ExecuteAsync(connection, transaction, "UPDATE identities SET deleted = 1, modified_at = @at, version = @version WHERE iam_id = @id",
                cancellationToken, ("@id", iamId), ("@at", Format(at)), ("@version", stored.Version));
            await InsertEventAsync(connection, transaction, auditEvent, revision, cancellationToken);
            await DeleteKeysOfAsync(connection, transaction, revision, iamId, at, cascade, cancellationToken);
            await EndMembershipsAsync(connection, transaction, revision, "iam_id = @id", changes, cascade, cancellationToken, ("@id", iamId));
            await CascadePoliciesAsync(connection, transaction, revision, changes, "subject_id = @id", actorId, at, cascade, cancellationToken, ("@id", iamId));
            return (WriteResult.Ok(stored), true);
        }, cancellationToken);

    public async ValueTask<ApiKeyOwner?> FindApiKeyByHashAsync(string hash, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var reader = await QueryAsync(connection, null,
            $"""
            SELECT {ApiKeyColumns("k")}, {IdentityColumnsOf("i")}
            FROM api_keys k JOIN identities i ON i.iam_id = k.iam_id
            WHERE k.hash = @hash AND k.deleted = 0 AND i.deleted = 0
            """, cancellationToken, ("@hash", hash));
        return await reader.ReadAsync(cancellationToken) ? new ApiKeyOwner(ReadApiKey(reader), ReadIdentity(reader, ApiKeyColumnCount)) : null;
    }

    public async ValueTask<ApiKey?> GetApiKeyAsync(string id, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await GetApiKeyAsync(connection, null, id, cancellationToken);
    }

    public async ValueTask<IReadOnlyList<ApiKey>> ListApiKeysAsync(string accountId, string? iamId, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await ReadAllAsync(connection, null,
            $"SELECT {ApiKeyColumns("k")} FROM api_keys k WHERE account_id = @account AND deleted = 0"
            + (iamId is null ? string.Empty : " AND iam_id = @iam") + " ORDER BY created_at, id",
            ReadApiKey, cancellationToken, ("@account", accountId), ("@iam", iamId));
    }

    public async ValueTask<WriteResult<ApiKey>> CreateApiKeyAsync(ApiKey key, AuditEvent auditEvent, CancellationToken cancellationToken) =>
        await WriteAsync(async (connection, transaction, revision, _) =>
        {
            if (await GetIdentityAsync(connection, transaction, key.IamId, cancellationToken) is not { Deleted: false })
                return (WriteResult.Refused<ApiKey>(WriteStatus.NotFound), false);
            await InsertApiKeyAsync(connection, transaction, key, cancellationToken);
            await InsertEventAsync(connection, transaction, auditEvent, revision, cancellationToken);
            return (WriteResult.Ok(key), true);
        }, cancellationToken);

    public async ValueTask<WriteResult<ApiKey>> UpdateApiKeyAsync(ApiKey updated, int? expectedVersion, AuditEvent auditEvent, CancellationToken cancellationToken) =>
        await WriteAsync(async (connection, transaction, revision, _) =>
        {
            var current = await GetApiKeyAsync(connection, transaction, updated.Id, cancellationToken);
            if (current is null || current.Deleted)
                return (WriteResult.Refused<ApiKey>(WriteStatus.NotFound), false);
            if (expectedVersion is { } version && version != current.Version)
                return (WriteResult.Refused<ApiKey>(WriteStatus.PreconditionFailed), false);
            var stored = current with
            {
                Name = updated.Name, Description = updated.Description, Locked = updated.Locked, ModifiedAt = updated.ModifiedAt, Version = current.Version + 1,
            };
            await ExecuteAsync(connection, transaction,
                "UPDATE api_keys SET name = @name, description = @description, locked = @locked, modified_at = @at, version = @version WHERE id = @id",
                cancellationToken, ("@id", stored.Id), ("@name", stored.Name), ("@description", stored.Description), ("@locked", stored.Locked),
                ("@at", Format(stored.ModifiedAt)), ("@version", stored.Version));
            await InsertEventAsync(connection, transaction, auditEvent, revision, cancellationToken);
            return (WriteResult.Ok(stored), true);
        }, cancellationToken);

    public async ValueTask<WriteResult<ApiKey>> DeleteApiKeyAsync(string id, AuditEvent auditEvent, CancellationToken cancellationToken) =>
        await WriteAsync(async (connection, transaction, revision, _) =>
        {
            var current = await GetApiKeyAsync(connection, transaction, id, cancellationToken);
            if (current is null || current.Deleted)
                return (WriteResult.Refused<ApiKey>(WriteStatus.NotFound), false);
            await ExecuteAsync(connection, transaction, "UPDATE api_keys SET deleted = 1, modified_at = @at WHERE id = @id", cancellationToken,
                ("@id", id), ("@at", Format(auditEvent.EventTime)));
            await InsertEventAsync(connection, transaction, auditEvent, revision, cancellationToken);
            return (WriteResult.Ok(current with { Deleted = true }), true);
        }, cancellationToken);

    public async ValueTask<IReadOnlyList<SigningKey>> GetSigningKeysAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var reader = await QueryAsync(connection, null, "SELECT key_id, private_key, created_at FROM signing_keys ORDER BY created_at", cancellationToken);
        var keys = new List<SigningKey>();
        while (await reader.ReadAsync(cancellationToken))
            keys.Add(new SigningKey(reader.GetString(0), (byte[])reader.GetValue(1), Parse(reader.GetString(2))));
        return keys;
    }

    public async ValueTask AddSigningKeyAsync(SigningKey key, CancellationToken cancellationToken)
    {
        using var gate = await EnterWriteAsync(cancellationToken);
        await using var connection = await OpenAsync(cancellationToken);
        await ExecuteAsync(connection, null,
            "INSERT INTO signing_keys (key_id, private_key, created_at) VALUES (@id, @key, @at) ON CONFLICT (key_id) DO NOTHING",
            cancellationToken, ("@id", key.KeyId), ("@key", key.PrivateKeyPkcs8), ("@at", Format(key.CreatedAt)));
    }

    public async ValueTask<ResourceGroup?> GetResourceGroupAsync(string id, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await GetResourceGroupAsync(connection, null, id, cancellationToken);
    }

    public async ValueTask<IReadOnlyList<ResourceGroup>> ListResourceGroupsAsync(string accountId, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await ReadAllAsync(connection, null,
            $"SELECT {ResourceGroupColumns} FROM resource_groups WHERE account_id = @account AND deleted = 0 ORDER BY created_at, id",
            ReadResourceGroup, cancellationToken, ("@account", accountId));
    }

    public async ValueTask<WriteResult<ResourceGroup>> CreateResourceGroupAsync(ResourceGroup group, AuditEvent auditEvent, CancellationToken cancellationToken) =>
        await WriteAsync(async (connection, transaction, revision, _) =>
        {
            await InsertResourceGroupAsync(connection, transaction, group, cancellationToken);
            await InsertEventAsync(connection, transaction, auditEvent, revision, cancellationToken);
            return (WriteResult.Ok(group), true);
        }, cancellationToken);

    public async ValueTask<WriteResult<ResourceGroup>> RenameResourceGroupAsync(string id, string name, DateTimeOffset at, AuditEvent auditEvent,
        CancellationToken cancellationToken) =>
        await WriteAsync(async (connection, transaction, revision, _) =>
        {
            var current = await GetResourceGroupAsync(connection, transaction, id, cancellationToken);
            if (current is null || current.Deleted)
                return (WriteResult.Refused<ResourceGroup>(WriteStatus.NotFound), false);
            await ExecuteAsync(connection, transaction, "UPDATE resource_groups SET name = @name, updated_at = @at WHERE id = @id", cancellationToken,
                ("@id", id), ("@name", name), ("@at", Format(at)));
            await InsertEventAsync(connection, transaction, auditEvent, revision, cancellationToken);
            return (WriteResult.Ok(current with { Name = name, UpdatedAt = at }), true);
        }, cancellationToken);

    public async ValueTask<WriteResult<ResourceGroup>> DeleteResourceGroupAsync(string id, DateTimeOffset at, AuditEvent auditEvent, CancellationToken cancellationToken) =>
        await WriteAsync(async (connection, transaction, revision, _) =>
        {
            var current = await GetResourceGroupAsync(connection, transaction, id, cancellationToken);
            if (current is null || current.Deleted)
                return (WriteResult.Refused<ResourceGroup>(WriteStatus.NotFound), false);
            if (current.IsDefault
                || await ScalarAsync(connection, transaction, "SELECT 1 FROM service_instances WHERE resource_group_id = @id AND removed = 0 LIMIT 1",
                    cancellationToken, ("@id", id)) is not null)
            {
                return (WriteResult.Refused<ResourceGroup>(WriteStatus.NotEmpty), false);
            }
            await ExecuteAsync(connection, transaction, "UPDATE resource_groups SET deleted = 1, updated_at = @at WHERE id = @id", cancellationToken,
                ("@id", id), ("@at", Format(at)));
            await InsertEventAsync(connection, transaction, auditEvent, revision, cancellationToken);
            return (WriteResult.Ok(current with { Deleted = true, UpdatedAt = at }), true);
        }, cancellationToken);

    public async ValueTask<ServiceInstance?> GetInstanceAsync(string guid, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await GetInstanceAsync(connection, null, guid, cancellationToken);
    }

    public async ValueTask<IReadOnlyList<ServiceInstance>> ListInstancesAsync(InstanceQuery query, CancellationToken cancellationToken)
    {
        var sql = $"SELECT {InstanceColumns} FROM service_instances WHERE account_id = @account"
                  + (query.Guid is null ? string.Empty : " AND guid = @guid")
                  + (query.Name is null ? string.Empty : " AND name = @name")
                  + (query.ResourceGroupId is null ? string.Empty : " AND resource_group_id = @group")
                  + (query.ServiceName is null ? string.Empty : " AND service_name = @service")
                  + (query.PlanId is null ? string.Empty : " AND plan_id = @plan")
                  + (query.Removed is null ? string.Empty : " AND removed = @removed")
                  + (query.After is null ? string.Empty : " AND (created_at > @afterAt OR (created_at = @afterAt AND guid > @afterGuid))")
                  + " ORDER BY created_at, guid LIMIT @limit";
        await using var connection = await OpenAsync(cancellationToken);
        return await ReadAllAsync(connection, null, sql, ReadInstance, cancellationToken,
            ("@account", query.AccountId), ("@guid", query.Guid), ("@name", query.Name), ("@group", query.ResourceGroupId), ("@service", query.ServiceName),
            ("@plan", query.PlanId), ("@removed", query.Removed), ("@afterAt", query.After is { } after ? Format(after.CreatedAt) : null),
            ("@afterGuid", query.After?.Guid), ("@limit", query.Limit));
    }

    public async IAsyncEnumerable<ServiceInstance> ReadActiveInstancesAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var reader = await QueryAsync(connection, null, $"SELECT {InstanceColumns} FROM service_instances WHERE removed = 0", cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            yield return ReadInstance(reader);
    }

    public async ValueTask<WriteResult<ServiceInstance>> CreateInstanceAsync(ServiceInstance instance, AuditEvent auditEvent, CancellationToken cancellationToken) =>
        await WriteAsync(async (connection, transaction, revision, changes) =>
        {
            if (await GetResourceGroupAsync(connection, transaction, instance.ResourceGroupId, cancellationToken) is not { Deleted: false } group
                || group.AccountId != instance.AccountId)
            {
                return (WriteResult.Refused<ServiceInstance>(WriteStatus.NotFound), false);
            }
            var stored = instance with { Revision = revision };
            await ExecuteAsync(connection, transaction,
                $"""
                INSERT INTO service_instances ({InstanceColumns})
                VALUES (@guid, @account, @service, @region, @name, @group, @plan, 0, @at, @by, NULL, NULL, @revision)
                """, cancellationToken,
                ("@guid", stored.Guid), ("@account", stored.AccountId), ("@service", stored.ServiceName), ("@region", stored.Region), ("@name", stored.Name),
                ("@group", stored.ResourceGroupId), ("@plan", stored.PlanId), ("@at", Format(stored.CreatedAt)), ("@by", stored.CreatedBy), ("@revision", revision));
            await InsertIdentityAsync(connection, transaction,
                new Identity(stored.IamId, stored.AccountId, IdentityKind.ServiceInstance, stored.Name, stored.CreatedAt), cancellationToken);
            await InsertEventAsync(connection, transaction, auditEvent, revision, cancellationToken);
            changes.Instances.Add(stored);
            return (WriteResult.Ok(stored), true);
        }, cancellationToken);

    public async ValueTask<WriteResult<ServiceInstance>> RemoveInstanceAsync(string guid, string actorId, DateTimeOffset at, AuditEvent auditEvent,
        ICascadeEvents cascade, CancellationToken cancellationToken) =>
        await WriteAsync(async (connection, transaction, revision, changes) =>
        {
            var current = await GetInstanceAsync(connection, transaction, guid, cancellationToken);
            if (current is null || current.Removed)
                return (WriteResult.Refused<ServiceInstance>(WriteStatus.NotFound), false);
            var stored = current with { Removed = true, DeletedAt = at, DeletedBy = actorId, Revision = revision };
            await ExecuteAsync(connection, transaction,
                "UPDATE service_instances SET removed = 1, deleted_at = @at, deleted_by = @by, revision = @revision WHERE guid = @guid", cancellationToken,
                ("@guid", guid), ("@at", Format(at)), ("@by", actorId), ("@revision", revision));
            await ExecuteAsync(connection, transaction, "UPDATE identities SET deleted = 1, modified_at = @at WHERE iam_id = @id", cancellationToken,
                ("@id", stored.IamId), ("@at", Format(at)));
            await InsertEventAsync(connection, transaction, auditEvent, revision, cancellationToken);
            await DeleteKeysOfAsync(connection, transaction, revision, stored.IamId, at, cascade, cancellationToken);
            await CascadePoliciesAsync(connection, transaction, revision, changes,
                "(source_instance = @guid OR target_instance = @guid OR delegator_instance = @guid)", actorId, at, cascade, cancellationToken, ("@guid", guid));
            changes.Instances.Add(stored);
            return (WriteResult.Ok(stored), true);
        }, cancellationToken);

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
        await using var reader = await QueryAsync(connection, null, $"SELECT {MemberColumns} FROM group_members WHERE removed = 0", cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            yield return ReadMembership(reader);
    }

    public async ValueTask<IReadOnlyList<GroupMembership>> AddMembersAsync(IReadOnlyList<GroupMembership> members, Func<GroupMembership, AuditEvent> memberEvent,
        CancellationToken cancellationToken) =>
        await WriteAsync<IReadOnlyList<GroupMembership>>(async (connection, transaction, revision, changes) =>
        {
            foreach (var member in members)
            {
                var added = await ScalarAsync(connection, transaction,
                    $"""
                    INSERT INTO group_members ({MemberColumns}, removed, revision) VALUES (@group, @iam, @account, @at, @by, 0, @revision)
                    ON CONFLICT (group_id, iam_id) DO UPDATE SET removed = 0, revision = @revision, added_at = @at, added_by = @by
                    WHERE group_members.removed = 1
                    RETURNING 1
                    """,
                    cancellationToken, ("@group", member.GroupId), ("@iam", member.IamId), ("@account", member.AccountId), ("@at", Format(member.AddedAt)),
                    ("@by", member.AddedBy), ("@revision", revision));
                if (added is null)
                    continue;
                await InsertEventAsync(connection, transaction, memberEvent(member), revision, cancellationToken);
                changes.Memberships.Add(member);
            }
            return (changes.Memberships.ToList(), changes.Memberships.Count > 0);
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

    public async ValueTask<WriteResult<Policy>> CreatePolicyAsync(Policy policy, AuditEvent auditEvent, CancellationToken cancellationToken) =>
        await WriteAsync(async (connection, transaction, revision, changes) =>
        {
            var fingerprint = policy.Fingerprint();
            if (await FindActiveByFingerprintAsync(connection, transaction, fingerprint, null, cancellationToken) is { } existing)
                return (new WriteResult<Policy>(WriteStatus.Conflict, existing), false);

            var stored = policy with { Revision = revision, ETag = Policy.NewETag(1), State = PolicyState.Active };
            var bindings = PolicyBindings.Of(stored);
            await ExecuteAsync(connection, transaction,
                """
                INSERT INTO policies (id, account_id, type, state, source_service, target_service, fingerprint, body,
                                      created_at, created_by_id, last_modified_at, last_modified_by_id, revision, etag,
                                      subject_id, source_instance, target_instance, delegator_instance)
                VALUES (@id, @account, @type, @state, @source, @target, @fingerprint, @body, @created, @createdBy, @modified, @modifiedBy, @revision, @etag,
                        @subject, @sourceInstance, @targetInstance, @delegator)
                """, cancellationToken,
                ("@id", stored.Id), ("@account", stored.AccountId), ("@type", stored.Type.ToWire()), ("@state", stored.State.ToWire()),
                ("@source", stored.SubjectValue(AttributeNames.ServiceName)), ("@target", stored.ResourceValue(AttributeNames.ServiceName)),
                ("@fingerprint", fingerprint), ("@body", PolicyBodyCodec.Serialize(stored)),
                ("@created", Format(stored.CreatedAt)), ("@createdBy", stored.CreatedById),
                ("@modified", Format(stored.LastModifiedAt)), ("@modifiedBy", stored.LastModifiedById),
                ("@revision", revision), ("@etag", stored.ETag), ("@subject", bindings.SubjectId), ("@sourceInstance", bindings.SourceInstance),
                ("@targetInstance", bindings.TargetInstance), ("@delegator", bindings.DelegatorInstance));
            await InsertEventAsync(connection, transaction, auditEvent, revision, cancellationToken);
            changes.Policies.Add(stored);
            return (WriteResult.Ok(stored), true);
        }, cancellationToken);

    public async ValueTask<Policy?> GetPolicyAsync(string policyId, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await GetPolicyAsync(connection, null, policyId, cancellationToken);
    }

    public async ValueTask<PolicyPage> ListPoliciesAsync(PolicyQuery query, CancellationToken cancellationToken)
    {
        var column = SortColumn(query.Sort);
        var order = query.Descending ? "DESC" : "ASC";
        var comparison = query.Descending ? "<" : ">";
        var sql = $"SELECT {PolicyColumns} FROM policies WHERE account_id = @account AND state = @state"
                  + (query.Type is null ? string.Empty : " AND type = @type")
                  + (query.ServiceName is null ? string.Empty : " AND target_service = @service")
                  + (query.SubjectId is null ? string.Empty : " AND subject_id = @subject")
                  + (query.After is null ? string.Empty : $" AND ({column} {comparison} @afterValue OR ({column} = @afterValue AND id {comparison} @afterId))")
                  + $" ORDER BY {column} {order}, id {order} LIMIT @limit";

        await using var connection = await OpenAsync(cancellationToken);
        var policies = await ReadAllAsync(connection, null, sql, ReadPolicy, cancellationToken,
            ("@account", query.AccountId), ("@state", query.State.ToWire()), ("@type", query.Type?.ToWire()), ("@service", query.ServiceName),
            ("@subject", query.SubjectId), ("@afterValue", query.After?.SortValue), ("@afterId", query.After?.Id), ("@limit", query.Limit + 1));

        PageCursor? next = null;
        if (policies.Count > query.Limit)
        {
            policies.RemoveAt(policies.Count - 1);
            var last = policies[^1];
            next = PageCursor.After(last, query.Sort);
        }
        return new PolicyPage(policies, next);
    }

    public async ValueTask<WriteResult<Policy>> ReplacePolicyAsync(Policy replacement, string expectedETag, AuditEvent auditEvent, CancellationToken cancellationToken) =>
        await WriteAsync(async (connection, transaction, revision, changes) =>
        {
            var current = await GetPolicyAsync(connection, transaction, replacement.Id, cancellationToken);
            if (current is null)
                return (WriteResult.Refused<Policy>(WriteStatus.NotFound), false);
            if (current.ETag != expectedETag)
                return (WriteResult.Refused<Policy>(WriteStatus.PreconditionFailed), false);

            var fingerprint = replacement.Fingerprint();
            if (current.State == PolicyState.Active
                && await FindActiveByFingerprintAsync(connection, transaction, fingerprint, current.Id, cancellationToken) is { } existing)
            {
                return (new WriteResult<Policy>(WriteStatus.Conflict, existing), false);
            }

            var stored = replacement with
            {
                State = current.State,
                CreatedAt = current.CreatedAt,
                CreatedById = current.CreatedById,
                Revision = revision,
                ETag = Policy.NewETag(Policy.ETagVersion(current.ETag) + 1),
            };
            var bindings = PolicyBindings.Of(stored);
            await ExecuteAsync(connection, transaction,
                """
                UPDATE policies SET source_service = @source, target_service = @target, fingerprint = @fingerprint, body = @body,
                                    last_modified_at = @modified, last_modified_by_id = @modifiedBy, revision = @revision, etag = @etag,
                                    subject_id = @subject, source_instance = @sourceInstance, target_instance = @targetInstance
                WHERE id = @id
                """, cancellationToken,
                ("@id", stored.Id), ("@source", stored.SubjectValue(AttributeNames.ServiceName)), ("@target", stored.ResourceValue(AttributeNames.ServiceName)),
                ("@fingerprint", fingerprint), ("@body", PolicyBodyCodec.Serialize(stored)),
                ("@modified", Format(stored.LastModifiedAt)), ("@modifiedBy", stored.LastModifiedById), ("@revision", revision), ("@etag", stored.ETag),
                ("@subject", bindings.SubjectId), ("@sourceInstance", bindings.SourceInstance), ("@targetInstance", bindings.TargetInstance));
            await InsertEventAsync(connection, transaction, auditEvent, revision, cancellationToken);
            changes.Policies.Add(stored);
            return (WriteResult.Ok(stored), true);
        }, cancellationToken);

    public async ValueTask<WriteResult<Policy>> SetPolicyStateAsync(
        string policyId, PolicyState state, string? expectedETag, string modifiedById, DateTimeOffset modifiedAt,
        AuditEvent auditEvent, CancellationToken cancellationToken) =>
        await WriteAsync(async (connection, transaction, revision, changes) =>
        {
            var current = await GetPolicyAsync(connection, transaction, policyId, cancellationToken);
            if (current is null)
                return (WriteResult.Refused<Policy>(WriteStatus.NotFound), false);
            if (expectedETag is not null && current.ETag != expectedETag)
                return (WriteResult.Refused<Policy>(WriteStatus.PreconditionFailed), false);

            // Restoring must not bring back a duplicate of a policy created since the delete (R6).
            if (state == PolicyState.Active && current.State == PolicyState.Deleted
                && await FindActiveByFingerprintAsync(connection, transaction, current.Fingerprint(), current.Id, cancellationToken) is { } existing)
            {
                return (new WriteResult<Policy>(WriteStatus.Conflict, existing), false);
            }

            var stored = await SetStateAsync(connection, transaction, current, state, modifiedById, modifiedAt, revision, cancellationToken);
            await InsertEventAsync(connection, transaction, auditEvent, revision, cancellationToken);
            changes.Policies.Add(stored);
            return (WriteResult.Ok(stored), true);
        }, cancellationToken);

    public async IAsyncEnumerable<Policy> ReadActivePoliciesAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var reader = await QueryAsync(connection, null, $"SELECT {PolicyColumns} FROM policies WHERE state = 'active'", cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            yield return ReadPolicy(reader);
    }

    public async ValueTask AppendEventAsync(AuditEvent auditEvent, CancellationToken cancellationToken)
    {
        using var gate = await EnterWriteAsync(cancellationToken);
        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        // Locks the revision row without moving it, so that the event's sequence number still follows commit order.
        var revision = Convert.ToInt64(await ScalarAsync(connection, transaction, "UPDATE revision SET value = value WHERE id = 1 RETURNING value",
            cancellationToken), CultureInfo.InvariantCulture);
        await InsertEventAsync(connection, transaction, auditEvent, revision, cancellationToken);
        await BeforeCommitAsync(connection, transaction, revision, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        // Followers of the trail learn of the event as of any change; nothing else moved.
        await AfterCommitAsync(ChangeSet.Empty(revision), cancellationToken);
    }

    /// <summary>
    /// The change log, for a node that follows writes made elsewhere: every policy, instance and membership whose last
    /// change is after <paramref name="afterRevision"/>, in its current state, read in one snapshot together with the
    /// revision that snapshot covers. Applying it brings a follower to that revision.
    /// </summary>
    public async ValueTask<ChangeSet> ReadChangesAsync(long afterRevision, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken);
        var revision = Convert.ToInt64(await ScalarAsync(connection, transaction, "SELECT value FROM revision WHERE id = 1", cancellationToken),
            CultureInfo.InvariantCulture);
        (string, object?)[] range = [("@after", afterRevision), ("@upto", revision)];
        const string InRange = "revision > @after AND revision <= @upto";
        var policies = await ReadAllAsync(connection, transaction, $"SELECT {PolicyColumns} FROM policies WHERE {InRange}", ReadPolicy, cancellationToken, range);
        var instances = await ReadAllAsync(connection, transaction, $"SELECT {InstanceColumns} FROM service_instances WHERE {InRange}", ReadInstance,
            cancellationToken, range);
        var memberships = await ReadAllAsync(connection, transaction, $"SELECT {MemberColumns}, removed FROM group_members WHERE {InRange}",
            r => ReadMembership(r) with { Removed = Flag(r, 5) }, cancellationToken, range);
        await transaction.CommitAsync(cancellationToken);
        return new ChangeSet(revision, policies, instances, memberships);
    }

    public async ValueTask<IReadOnlyList<AuditEvent>> ListEventsAsync(EventQuery query, CancellationToken cancellationToken)
    {
        var sql = "SELECT body, revision, seq FROM events WHERE account_id = @account AND seq > @after"
                  + (query.Action is null ? string.Empty : " AND action = @action")
                  + (query.TargetId is null ? string.Empty : " AND target_id = @target")
                  + (query.From is null ? string.Empty : " AND event_time >= @from")
                  + (query.To is null ? string.Empty : " AND event_time < @to")
                  + " ORDER BY seq LIMIT @limit";
        await using var connection = await OpenAsync(cancellationToken);
        return await ReadAllAsync(connection, null, sql, r => AuditEventCodec.FromJson(r.GetString(0), r.GetInt64(1), r.GetInt64(2)), cancellationToken,
            ("@account", query.AccountId), ("@after", query.AfterSequence), ("@action", query.Action), ("@target", query.TargetId),
            ("@from", query.From is { } from ? Format(from) : null), ("@to", query.To is { } to ? Format(to) : null), ("@limit", query.Limit));
    }

    protected const string PolicyColumns =
        "id, account_id, type, state, body, created_at, created_by_id, last_modified_at, last_modified_by_id, revision, etag";

    private const string IdentityColumns = "iam_id, account_id, kind, name, created_at, description, locked, deleted, modified_at, version";

    private static string IdentityColumnsOf(string alias) => string.Join(", ", IdentityColumns.Split(", ").Select(c => $"{alias}.{c}"));

    private const int ApiKeyColumnCount = 12;

    private static string ApiKeyColumns(string alias) =>
        string.Join(", ", "id, iam_id, account_id, name, hash, created_at, description, created_by, locked, deleted, modified_at, version".Split(", ")
            .Select(c => $"{alias}.{c}"));

    private const string ResourceGroupColumns = "id, account_id, name, is_default, created_at, deleted, updated_at";

    private const string InstanceColumns =
        "guid, account_id, service_name, region, name, resource_group_id, plan_id, removed, created_at, created_by, deleted_at, deleted_by, revision";

    private const string AccessGroupColumns = "id, account_id, name, description, created_at, created_by_id, modified_at, modified_by_id, deleted";

    private const string MemberColumns = "group_id, iam_id, account_id, added_at, added_by";

    private static string SortColumn(PolicySortField field) => field switch
    {
        PolicySortField.CreatedAt => "created_at",
        PolicySortField.LastModifiedAt => "last_modified_at",
        PolicySortField.Id => "id",
        PolicySortField.Type => "type",
        PolicySortField.State => "state",
        PolicySortField.CreatedById => "created_by_id",
        PolicySortField.LastModifiedById => "last_modified_by_id",
        _ => throw new ArgumentOutOfRangeException(nameof(field), field, null),
    };

    private static async ValueTask<Policy?> GetPolicyAsync(DbConnection connection, DbTransaction? transaction, string id, CancellationToken cancellationToken) =>
        (await ReadAllAsync(connection, transaction, $"SELECT {PolicyColumns} FROM policies WHERE id = @id", ReadPolicy, cancellationToken, ("@id", id)))
            .SingleOrDefault();

    private static async ValueTask<Policy?> FindActiveByFingerprintAsync(
        DbConnection connection, DbTransaction transaction, string fingerprint, string? exceptId, CancellationToken cancellationToken) =>
        (await ReadAllAsync(connection, transaction,
            $"SELECT {PolicyColumns} FROM policies WHERE fingerprint = @fingerprint AND state = 'active'" + (exceptId is null ? string.Empty : " AND id <> @except"),
            ReadPolicy, cancellationToken, ("@fingerprint", fingerprint), ("@except", exceptId))).SingleOrDefault();

    private static async ValueTask<Policy> SetStateAsync(DbConnection connection, DbTransaction transaction, Policy current, PolicyState state,
        string modifiedById, DateTimeOffset modifiedAt, long revision, CancellationToken cancellationToken)
    {
        var stored = current with
        {
            State = state,
            LastModifiedAt = modifiedAt,
            LastModifiedById = modifiedById,
            Revision = revision,
            ETag = Policy.NewETag(Policy.ETagVersion(current.ETag) + 1),
        };
        await ExecuteAsync(connection, transaction,
            """
            UPDATE policies SET state = @state, last_modified_at = @modified, last_modified_by_id = @modifiedBy, revision = @revision, etag = @etag
            WHERE id = @id
            """, cancellationToken,
            ("@id", stored.Id), ("@state", state.ToWire()), ("@modified", Format(modifiedAt)), ("@modifiedBy", modifiedById),
            ("@revision", revision), ("@etag", stored.ETag));
        return stored;
    }

    /// <summary>R7: soft-deletes the active policies matching <paramref name="where"/>, each with its own event, in the caller's transaction.</summary>
    private static async ValueTask CascadePoliciesAsync(DbConnection connection, DbTransaction transaction, long revision, Changes changes,
        string where, string actorId, DateTimeOffset at, ICascadeEvents cascade, CancellationToken cancellationToken,
        params (string Name, object? Value)[] parameters)
    {
        var affected = await ReadAllAsync(connection, transaction, $"SELECT {PolicyColumns} FROM policies WHERE state = 'active' AND {where} ORDER BY id",
            ReadPolicy, cancellationToken, parameters);
        foreach (var policy in affected)
        {
            var deleted = await SetStateAsync(connection, transaction, policy, PolicyState.Deleted, actorId, at, revision, cancellationToken);
            await InsertEventAsync(connection, transaction, cascade.PolicyDeleted(deleted), revision, cancellationToken);
            changes.Policies.Add(deleted);
        }
    }

    private static async ValueTask DeleteKeysOfAsync(DbConnection connection, DbTransaction transaction, long revision, string iamId,
        DateTimeOffset at, ICascadeEvents cascade, CancellationToken cancellationToken)
    {
        var deleted = await ReadAllAsync(connection, transaction,
            $"UPDATE api_keys SET deleted = 1, modified_at = @at WHERE iam_id = @iam AND deleted = 0 RETURNING {ApiKeyColumns("api_keys")}".Replace("api_keys.", string.Empty, StringComparison.Ordinal),
            ReadApiKey, cancellationToken, ("@iam", iamId), ("@at", Format(at)));
        foreach (var key in deleted)
            await InsertEventAsync(connection, transaction, cascade.ApiKeyDeleted(key), revision, cancellationToken);
    }

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

    private static async ValueTask<Identity?> GetIdentityAsync(DbConnection connection, DbTransaction? transaction, string iamId,
        CancellationToken cancellationToken) =>
        (await ReadAllAsync(connection, transaction, $"SELECT {IdentityColumns} FROM identities WHERE iam_id = @id", r => ReadIdentity(r, 0),
            cancellationToken, ("@id", iamId))).SingleOrDefault();

    private static async ValueTask<ApiKey?> GetApiKeyAsync(DbConnection connection, DbTransaction? transaction, string id,
        CancellationToken cancellationToken) =>
        (await ReadAllAsync(connection, transaction, $"SELECT {ApiKeyColumns("k")} FROM api_keys k WHERE id = @id", ReadApiKey, cancellationToken,
            ("@id", id))).SingleOrDefault();

    private static async ValueTask<ResourceGroup?> GetResourceGroupAsync(DbConnection connection, DbTransaction? transaction, string id,
        CancellationToken cancellationToken) =>
        (await ReadAllAsync(connection, transaction, $"SELECT {ResourceGroupColumns} FROM resource_groups WHERE id = @id", ReadResourceGroup,
            cancellationToken, ("@id", id))).SingleOrDefault();

    private static async ValueTask<ServiceInstance?> GetInstanceAsync(DbConnection connection, DbTransaction? transaction, string guid,
        CancellationToken cancellationToken) =>
        (await ReadAllAsync(connection, transaction, $"SELECT {InstanceColumns} FROM service_instances WHERE guid = @guid", ReadInstance,
            cancellationToken, ("@guid", guid))).SingleOrDefault();

    private static async ValueTask<AccessGroup?> GetAccessGroupAsync(DbConnection connection, DbTransaction? transaction, string id,
        CancellationToken cancellationToken) =>
        (await ReadAllAsync(connection, transaction, $"SELECT {AccessGroupColumns} FROM access_groups WHERE id = @id", ReadAccessGroup,
            cancellationToken, ("@id", id))).SingleOrDefault();

    private static async ValueTask InsertIdentityAsync(DbConnection connection, DbTransaction transaction, Identity i, CancellationToken cancellationToken) =>
        await ExecuteAsync(connection, transaction,
            $"INSERT INTO identities ({IdentityColumns}) VALUES (@id, @account, @kind, @name, @at, @description, @locked, 0, @at, @version)",
            cancellationToken, ("@id", i.IamId), ("@account", i.AccountId), ("@kind", i.Kind.ToString()), ("@name", i.Name), ("@at", Format(i.CreatedAt)),
            ("@description", i.Description), ("@locked", i.Locked), ("@version", i.Version));

    private static async ValueTask InsertResourceGroupAsync(DbConnection connection, DbTransaction transaction, ResourceGroup g,
        CancellationToken cancellationToken) =>
        await ExecuteAsync(connection, transaction,
            $"INSERT INTO resource_groups ({ResourceGroupColumns}) VALUES (@id, @account, @name, @default, @at, 0, @at)", cancellationToken,
            ("@id", g.Id), ("@account", g.AccountId), ("@name", g.Name), ("@default", g.IsDefault), ("@at", Format(g.CreatedAt)));

    private static async ValueTask InsertApiKeyAsync(DbConnection connection, DbTransaction transaction, ApiKey k, CancellationToken cancellationToken) =>
        await ExecuteAsync(connection, transaction,
            $"INSERT INTO api_keys ({ApiKeyColumns("api_keys")}) VALUES (@id, @iam, @account, @name, @hash, @at, @description, @by, @locked, 0, @at, 1)"
                .Replace("api_keys.", string.Empty, StringComparison.Ordinal),
            cancellationToken, ("@id", k.Id), ("@iam", k.IamId), ("@account", k.AccountId), ("@name", k.Name), ("@hash", k.Hash),
            ("@at", Format(k.CreatedAt)), ("@description", k.Description), ("@by", k.CreatedBy), ("@locked", k.Locked));

    protected static Policy ReadPolicy(DbDataReader reader)
    {
        var (description, subject, roles, resource) = PolicyBodyCodec.Deserialize(reader.GetString(4));
        return new Policy
        {
            Id = reader.GetString(0),
            AccountId = reader.GetString(1),
            Type = PolicyWireNames.ParseType(reader.GetString(2)),
            State = PolicyWireNames.ParseState(reader.GetString(3)),
            Description = description,
            Subject = subject,
            Roles = roles,
            Resource = resource,
            CreatedAt = Parse(reader.GetString(5)),
            CreatedById = reader.GetString(6),
            LastModifiedAt = Parse(reader.GetString(7)),
            LastModifiedById = reader.GetString(8),
            Revision = reader.GetInt64(9),
            ETag = reader.GetString(10),
        };
    }

    private static Identity ReadIdentity(DbDataReader reader, int first) =>
        new(reader.GetString(first), reader.GetString(first + 1), Enum.Parse<IdentityKind>(reader.GetString(first + 2)),
            reader.GetString(first + 3), Parse(reader.GetString(first + 4)))
        {
            Description = NullableString(reader, first + 5),
            Locked = Flag(reader, first + 6),
            Deleted = Flag(reader, first + 7),
            ModifiedAt = Parse(reader.GetString(first + 8)),
            Version = reader.GetInt32(first + 9),
        };

    private static ApiKey ReadApiKey(DbDataReader reader) =>
        new(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4), Parse(reader.GetString(5)))
        {
            Description = NullableString(reader, 6),
            CreatedBy = reader.GetString(7),
            Locked = Flag(reader, 8),
            Deleted = Flag(reader, 9),
            ModifiedAt = Parse(reader.GetString(10)),
            Version = reader.GetInt32(11),
        };

    private static ResourceGroup ReadResourceGroup(DbDataReader reader) =>
        new(reader.GetString(0), reader.GetString(1), reader.GetString(2), Flag(reader, 3), Parse(reader.GetString(4)))
        {
            Deleted = Flag(reader, 5),
            UpdatedAt = Parse(reader.GetString(6)),
        };

    private static ServiceInstance ReadInstance(DbDataReader reader) => new()
    {
        Guid = reader.GetString(0),
        AccountId = reader.GetString(1),
        ServiceName = reader.GetString(2),
        Region = reader.GetString(3),
        Name = reader.GetString(4),
        ResourceGroupId = reader.GetString(5),
        PlanId = reader.GetString(6),
        Removed = Flag(reader, 7),
        CreatedAt = Parse(reader.GetString(8)),
        CreatedBy = reader.GetString(9),
        DeletedAt = reader.IsDBNull(10) ? null : Parse(reader.GetString(10)),
        DeletedBy = NullableString(reader, 11),
        Revision = reader.GetInt64(12),
    };

    private static AccessGroup ReadAccessGroup(DbDataReader reader) => new()
    {
        Id = reader.GetString(0),
        AccountId = reader.GetString(1),
        Name = reader.GetString(2),
        Description = NullableString(reader, 3),
        CreatedAt = Parse(reader.GetString(4)),
        CreatedById = reader.GetString(5),
        ModifiedAt = Parse(reader.GetString(6)),
        ModifiedById = reader.GetString(7),
        Deleted = Flag(reader, 8),
    };

    private static GroupMembership ReadMembership(DbDataReader reader) =>
        new(reader.GetString(0), reader.GetString(1), reader.GetString(2), Parse(reader.GetString(3)), reader.GetString(4));

    private static string? NullableString(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    private static async ValueTask InsertEventAsync(DbConnection connection, DbTransaction transaction, AuditEvent e, long revision, CancellationToken cancellationToken) =>
        await ExecuteAsync(connection, transaction,
            "INSERT INTO events (id, revision, account_id, action, target_id, event_time, body) VALUES (@id, @revision, @account, @action, @target, @time, @body)",
            cancellationToken, ("@id", e.Id), ("@revision", revision), ("@account", e.AccountId), ("@action", e.Action), ("@target", e.Target.Id),
            ("@time", Format(e.EventTime)), ("@body", AuditEventCodec.ToJson(e)));

    /// <summary>What one transaction changed that the change sink follows.</summary>
    private sealed class Changes
    {
        public List<Policy> Policies { get; } = [];
        public List<ServiceInstance> Instances { get; } = [];
        public List<GroupMembership> Memberships { get; } = [];
    }

    /// <summary>
    /// Runs one write transaction: advances the revision, runs <paramref name="write"/>, and commits only when it says so.
    /// A write that decides not to change anything (a conflict, a stale ETag) rolls back, so the revision does not move.
    /// </summary>
    private async ValueTask<T> WriteAsync<T>(Func<DbConnection, DbTransaction, long, Changes, ValueTask<(T Result, bool Commit)>> write,
        CancellationToken cancellationToken)
    {
        using var gate = await EnterWriteAsync(cancellationToken);
        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var revision = Convert.ToInt64(await ScalarAsync(connection, transaction, NextRevisionSql, cancellationToken), CultureInfo.InvariantCulture);
        var changes = new Changes();
        var (result, commit) = await write(connection, transaction, revision, changes);
        if (!commit)
        {
            await transaction.RollbackAsync(cancellationToken);
            return result;
        }
        await BeforeCommitAsync(connection, transaction, revision, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        await AfterCommitAsync(new ChangeSet(revision, changes.Policies, changes.Instances, changes.Memberships), cancellationToken);
        return result;
    }

    protected static async ValueTask<List<T>> ReadAllAsync<T>(DbConnection connection, DbTransaction? transaction, string sql,
        Func<DbDataReader, T> read, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        await using var reader = await QueryAsync(connection, transaction, sql, cancellationToken, parameters);
        var rows = new List<T>();
        while (await reader.ReadAsync(cancellationToken))
            rows.Add(read(reader));
        return rows;
    }

    protected static async ValueTask ExecuteAsync(DbConnection connection, DbTransaction? transaction, string sql,
        CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        await using var command = Command(connection, transaction, sql, parameters);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    protected static async ValueTask<object?> ScalarAsync(DbConnection connection, DbTransaction? transaction, string sql,
        CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        await using var command = Command(connection, transaction, sql, parameters);
        return await command.ExecuteScalarAsync(cancellationToken);
    }

    protected static async Task<DbDataReader> QueryAsync(DbConnection connection, DbTransaction? transaction, string sql,
        CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        var command = Command(connection, transaction, sql, parameters);
        // The reader owns the command from here; disposing the reader is enough.
        return await command.ExecuteReaderAsync(System.Data.CommandBehavior.Default, cancellationToken);
    }

    private static DbCommand Command(DbConnection connection, DbTransaction? transaction, string sql, (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        foreach (var (name, value) in parameters)
        {
            // Only what the statement names (statements are assembled from optional parts), and flags as the integers both schemas store.
            if (!ParameterName(name).IsMatch(sql))
                continue;
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value switch
            {
                null => DBNull.Value,
                bool flag => flag ? 1 : 0,
                _ => value,
            };
            if (value is null)
                parameter.DbType = System.Data.DbType.String;
            command.Parameters.Add(parameter);
        }
        return command;
    }

    private static System.Text.RegularExpressions.Regex ParameterName(string name) =>
        ParameterPatterns.GetOrAdd(name, n => new System.Text.RegularExpressions.Regex(System.Text.RegularExpressions.Regex.Escape(n) + @"\b",
            System.Text.RegularExpressions.RegexOptions.CultureInvariant));

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, System.Text.RegularExpressions.Regex> ParameterPatterns = new();

    protected static bool Flag(DbDataReader reader, int ordinal) => reader.GetInt32(ordinal) != 0;

    protected static string Format(DateTimeOffset time) => PageCursor.Format(time);

    private static DateTimeOffset Parse(string text) =>
        DateTimeOffset.ParseExact(text, TimeFormat, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
}
