using System.Data.Common;
using Tessera.Audit;
using Tessera.Model;

namespace Tessera.Storage.Relational;

// Resource groups and service instances; removing an instance cascades to what is bound to it (R7).
public abstract partial class RelationalStore
{
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

    public async ValueTask<WriteResult<ResourceGroup>> DeleteResourceGroupAsync(string id, string actorId, DateTimeOffset at, AuditEvent auditEvent,
        ICascadeEvents cascade, CancellationToken cancellationToken) =>
        await WriteAsync(async (connection, transaction, revision, changes) =>
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
            // No column holds a policy's group, and deleting a group is rare: the text finds the candidates, the exact test decides.
            await CascadePoliciesAsync(connection, transaction, revision, changes, "body LIKE @pattern", actorId, at, cascade,
                policy => PolicyBindings.NamesResourceGroup(policy, id), cancellationToken, ("@pattern", $"%{id}%"));
            return (WriteResult.Ok(current with { Deleted = true, UpdatedAt = at }), true);
        }, cancellationToken);

    public async ValueTask<ServiceInstance?> GetInstanceAsync(string guid, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await GetInstanceAsync(connection, null, guid, cancellationToken);
    }

    public async ValueTask<IReadOnlyList<ServiceInstance>> ListInstancesAsync(InstanceQuery query, CancellationToken cancellationToken)
    {
        var sql = new Sql($"SELECT {InstanceColumns} FROM service_instances WHERE account_id = @account", ("@account", query.AccountId))
            .And(query.Guid is not null, " AND guid = @guid", ("@guid", query.Guid))
            .And(query.Name is not null, " AND name = @name", ("@name", query.Name))
            .And(query.ResourceGroupId is not null, " AND resource_group_id = @group", ("@group", query.ResourceGroupId))
            .And(query.ServiceName is not null, " AND service_name = @service", ("@service", query.ServiceName))
            .And(query.PlanId is not null, " AND plan_id = @plan", ("@plan", query.PlanId))
            .And(query.Removed is not null, " AND removed = @removed", ("@removed", query.Removed))
            .And(query.After is not null, " AND (created_at > @afterAt OR (created_at = @afterAt AND guid > @afterGuid))",
                ("@afterAt", query.After is { } after ? Format(after.CreatedAt) : null), ("@afterGuid", query.After?.Guid))
            .Then(" ORDER BY created_at, guid LIMIT @limit", ("@limit", query.Limit));
        await using var connection = await OpenAsync(cancellationToken);
        return await ReadAllAsync(connection, null, sql, ReadInstance, cancellationToken);
    }

    public async IAsyncEnumerable<ServiceInstance> ReadActiveInstancesAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var rows = await QueryAsync(connection, null, $"SELECT {InstanceColumns} FROM service_instances WHERE removed = 0", cancellationToken);
        var reader = rows.Reader;
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
            // The instance's own identity (a source service authenticates as it) ends with it, and so do its tokens.
            await LogCredentialChangeAsync(connection, transaction, revision, changes, new CredentialChange(CredentialKind.IdentityDeleted, stored.IamId, at),
                cancellationToken);
            await DeleteKeysOfAsync(connection, transaction, revision, changes, stored.IamId, at, cascade, cancellationToken);
            await CascadePoliciesAsync(connection, transaction, revision, changes,
                "(source_instance = @guid OR target_instance = @guid OR delegator_instance = @guid)", actorId, at, cascade, cancellationToken, ("@guid", guid));
            changes.Instances.Add(stored);
            return (WriteResult.Ok(stored), true);
        }, cancellationToken);

    private static async ValueTask<ResourceGroup?> GetResourceGroupAsync(DbConnection connection, DbTransaction? transaction, string id,
        CancellationToken cancellationToken) =>
        (await ReadAllAsync(connection, transaction, $"SELECT {ResourceGroupColumns} FROM resource_groups WHERE id = @id", ReadResourceGroup,
            cancellationToken, ("@id", id))).SingleOrDefault();

    private static async ValueTask<ServiceInstance?> GetInstanceAsync(DbConnection connection, DbTransaction? transaction, string guid,
        CancellationToken cancellationToken) =>
        (await ReadAllAsync(connection, transaction, $"SELECT {InstanceColumns} FROM service_instances WHERE guid = @guid", ReadInstance,
            cancellationToken, ("@guid", guid))).SingleOrDefault();

    private static async ValueTask InsertResourceGroupAsync(DbConnection connection, DbTransaction transaction, ResourceGroup g,
        CancellationToken cancellationToken) =>
        await ExecuteAsync(connection, transaction,
            $"INSERT INTO resource_groups ({ResourceGroupColumns}) VALUES (@id, @account, @name, @default, @at, 0, @at)", cancellationToken,
            ("@id", g.Id), ("@account", g.AccountId), ("@name", g.Name), ("@default", g.IsDefault), ("@at", Format(g.CreatedAt)));
}
