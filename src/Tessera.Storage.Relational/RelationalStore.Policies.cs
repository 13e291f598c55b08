using System.Data.Common;
using Tessera.Audit;
using Tessera.Policies;

namespace Tessera.Storage.Relational;

// Policies: create, replace, delete and restore with R6 and the reference checks of R7, lists, and cascades.
public abstract partial class RelationalStore
{
    public async ValueTask<WriteResult<Policy>> CreatePolicyAsync(Policy policy, AuditEvent auditEvent, CancellationToken cancellationToken) =>
        await WriteAsync(async (connection, transaction, revision, changes) =>
        {
            var result = await InsertPolicyAsync(connection, transaction, revision, changes, policy, auditEvent, cancellationToken);
            return (result, result.Status == WriteStatus.Ok);
        }, cancellationToken);

    public async ValueTask<BatchWriteResult<Policy>> CreatePoliciesAsync(IReadOnlyList<(Policy Policy, AuditEvent Event)> policies,
        CancellationToken cancellationToken) =>
        await WriteAsync(async (connection, transaction, revision, changes) =>
        {
            var written = new List<Policy>(policies.Count);
            for (var i = 0; i < policies.Count; i++)
            {
                // Each insert sees the ones before it in the transaction: two identical policies in one batch conflict too.
                var result = await InsertPolicyAsync(connection, transaction, revision, changes, policies[i].Policy, policies[i].Event, cancellationToken);
                if (result.Status != WriteStatus.Ok)
                    return (new BatchWriteResult<Policy>([], i, result), false);
                written.Add(result.Value!);
            }
            return (new BatchWriteResult<Policy>(written), true);
        }, cancellationToken);

    private static async ValueTask<WriteResult<Policy>> InsertPolicyAsync(DbConnection connection, DbTransaction transaction, long revision, Changes changes,
        Policy policy, AuditEvent auditEvent, CancellationToken cancellationToken)
    {
        if (await InvalidReferenceAsync(connection, transaction, policy, cancellationToken) is { } invalid)
            return invalid;
        var fingerprint = policy.Fingerprint();
        if (await FindActiveByFingerprintAsync(connection, transaction, fingerprint, null, cancellationToken) is { } existing)
            return new WriteResult<Policy>(WriteStatus.Conflict, existing);

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
        return WriteResult.Ok(stored);
    }

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
        var withPermits = query.IncludePermits || query.Sort == PolicySortField.LastPermitAt;
        var sql = new Sql($"SELECT {PolicyColumns}{(withPermits ? $", {PermitColumns}" : string.Empty)} FROM policies WHERE account_id = @account AND state = @state",
                ("@account", query.AccountId), ("@state", query.State.ToWire()))
            .And(query.Type is not null, " AND type = @type", ("@type", query.Type?.ToWire()))
            .And(query.ServiceName is not null, " AND target_service = @service", ("@service", query.ServiceName))
            .And(query.SubjectId is not null, " AND subject_id = @subject", ("@subject", query.SubjectId))
            .And(query.After is not null, $" AND ({column} {comparison} @afterValue OR ({column} = @afterValue AND id {comparison} @afterId))",
                ("@afterValue", query.After?.SortValue), ("@afterId", query.After?.Id));
        if (query.Within is { } scope)
            sql = WithinScope(sql, scope);
        sql.Then($" ORDER BY {column} {order}, id {order} LIMIT @limit", ("@limit", query.Limit + 1L)); // long: an unlimited query asks for int.MaxValue

        await using var connection = await OpenAsync(cancellationToken);
        var policies = await ReadAllAsync<Policy>(connection, null, sql, withPermits ? ReadPolicyWithPermits : ReadPolicy, cancellationToken);

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

            if (current.State == PolicyState.Active && await InvalidReferenceAsync(connection, transaction, replacement, cancellationToken) is { } invalid)
                return (invalid, false);
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
            // Restoring grants again: what the policy names must still be there.
            if (state == PolicyState.Active && current.State == PolicyState.Deleted
                && await InvalidReferenceAsync(connection, transaction, current, cancellationToken) is { } invalid)
            {
                return (invalid, false);
            }
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
        await using var rows = await QueryAsync(connection, null, $"SELECT {PolicyColumns} FROM policies WHERE state = 'active'", cancellationToken);
        var reader = rows.Reader;
        while (await reader.ReadAsync(cancellationToken))
            yield return ReadPolicy(reader);
    }

    public async ValueTask RecordPermitsAsync(IReadOnlyList<PolicyPermitCount> permits, CancellationToken cancellationToken)
    {
        if (permits.Count == 0)
            return;
        using var gate = await EnterWriteAsync(cancellationToken);
        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        foreach (var permit in permits)
        {
            await ExecuteAsync(connection, transaction,
                """
                INSERT INTO policy_permits (policy_id, last_permit_at, frequency) VALUES (@id, @at, @count)
                ON CONFLICT (policy_id) DO UPDATE SET frequency = policy_permits.frequency + excluded.frequency,
                    last_permit_at = CASE WHEN excluded.last_permit_at > policy_permits.last_permit_at THEN excluded.last_permit_at ELSE policy_permits.last_permit_at END
                """, cancellationToken, ("@id", permit.PolicyId), ("@at", Format(permit.LastPermitAt)), ("@count", permit.Count));
        }
        await transaction.CommitAsync(cancellationToken);
    }

    public async ValueTask<PolicyPermits> GetPermitsAsync(string policyId, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        var rows = await ReadAllAsync(connection, null, "SELECT last_permit_at, frequency FROM policy_permits WHERE policy_id = @id",
            r => new PolicyPermits(Parse(r.GetString(0)), r.GetInt64(1)), cancellationToken, ("@id", policyId));
        return rows is [var permits] ? permits : PolicyPermits.None;
    }

    // Correlated subqueries rather than a join, so that the policy columns stay unqualified in every query that reads them.
    private const string LastPermitAt = "COALESCE((SELECT pp.last_permit_at FROM policy_permits pp WHERE pp.policy_id = policies.id), '')";
    private const string PermitColumns = LastPermitAt + ", COALESCE((SELECT pp.frequency FROM policy_permits pp WHERE pp.policy_id = policies.id), 0)";

    private static Policy ReadPolicyWithPermits(DbDataReader reader) => ReadPolicy(reader) with
    {
        Permits = reader.GetString(11) is { Length: > 0 } at ? new PolicyPermits(Parse(at), reader.GetInt64(12)) : PolicyPermits.None,
    };

    private static string SortColumn(PolicySortField field) => field switch
    {
        PolicySortField.CreatedAt => "created_at",
        PolicySortField.LastModifiedAt => "last_modified_at",
        PolicySortField.Id => "id",
        PolicySortField.Type => "type",
        PolicySortField.State => "state",
        PolicySortField.CreatedById => "created_by_id",
        PolicySortField.LastModifiedById => "last_modified_by_id",
        PolicySortField.LastPermitAt => LastPermitAt,
        _ => throw new ArgumentOutOfRangeException(nameof(field), field, null),
    };

    private static async ValueTask<Policy?> GetPolicyAsync(DbConnection connection, DbTransaction? transaction, string id, CancellationToken cancellationToken) =>
        (await ReadAllAsync(connection, transaction, $"SELECT {PolicyColumns} FROM policies WHERE id = @id", ReadPolicy, cancellationToken, ("@id", id)))
            .SingleOrDefault();

    private static async ValueTask<Policy?> FindActiveByFingerprintAsync(
        DbConnection connection, DbTransaction transaction, string fingerprint, string? exceptId, CancellationToken cancellationToken) =>
        (await ReadAllAsync(connection, transaction,
            new Sql($"SELECT {PolicyColumns} FROM policies WHERE fingerprint = @fingerprint AND state = 'active'", ("@fingerprint", fingerprint))
                .And(exceptId is not null, " AND id <> @except", ("@except", exceptId)),
            ReadPolicy, cancellationToken)).SingleOrDefault();

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
        params (string Name, object? Value)[] parameters) =>
        await CascadePoliciesAsync(connection, transaction, revision, changes, where, actorId, at, cascade, exact: null, cancellationToken, parameters);

    /// <summary>The same, for the policies <paramref name="where"/> finds that also pass <paramref name="exact"/>.</summary>
    private static async ValueTask CascadePoliciesAsync(DbConnection connection, DbTransaction transaction, long revision, Changes changes,
        string where, string actorId, DateTimeOffset at, ICascadeEvents cascade, Func<Policy, bool>? exact, CancellationToken cancellationToken,
        params (string Name, object? Value)[] parameters)
    {
        var affected = await ReadAllAsync(connection, transaction, $"SELECT {PolicyColumns} FROM policies WHERE state = 'active' AND {where} ORDER BY id",
            ReadPolicy, cancellationToken, parameters);
        foreach (var policy in affected)
        {
            if (exact is not null && !exact(policy))
                continue;
            var deleted = await SetStateAsync(connection, transaction, policy, PolicyState.Deleted, actorId, at, revision, cancellationToken);
            await InsertEventAsync(connection, transaction, cascade.PolicyDeleted(deleted), revision, cancellationToken);
            changes.Policies.Add(deleted);
        }
    }

    /// <summary>
    /// R7 against interleaved writes: what an active policy names must be live when it is stored, checked inside the
    /// write's transaction. Writers are serialized on the revision row, so a removal either committed before this check
    /// (and the policy is refused) or commits after it (and its cascade finds the policy): no grant outlives what it
    /// names. An access policy's subject must be a live identity or access group of the policy's account; a registered
    /// instance of the policy's account named on either side must be live and be what the side says, and so must a
    /// resource group of the account that a side names; the instance that
    /// creates a policy as a delegator must be live. An instance of another account is treated as unknown to this
    /// account, exactly like a GUID that names nothing, so the answer reveals nothing about other accounts.
    /// </summary>
    private static async ValueTask<WriteResult<Policy>?> InvalidReferenceAsync(DbConnection connection, DbTransaction transaction, Policy policy,
        CancellationToken cancellationToken)
    {
        if (policy.SubjectValue(AttributeNames.IamId) is { } iamId
            && (await GetIdentityAsync(connection, transaction, iamId, cancellationToken) is not { Deleted: false } identity || identity.AccountId != policy.AccountId))
        {
            return Invalid($"subjects[0] iam_id '{iamId}' is not a live identity of account {policy.AccountId}", "subject.iam_id");
        }
        if (policy.SubjectValue(AttributeNames.AccessGroupId) is { } groupId
            && (await GetAccessGroupAsync(connection, transaction, groupId, cancellationToken) is not { Deleted: false } group || group.AccountId != policy.AccountId))
        {
            return Invalid($"subjects[0] access_group_id '{groupId}' is not a live access group of account {policy.AccountId}", "subject.access_group_id");
        }
        foreach (var (side, field, attributes) in new[] { ("subjects[0]", "subject", policy.Subject), ("resources[0]", "resource", policy.Resource) })
        {
            // A resource group of the account named on this side (as the group of its instances, or as the target itself).
            var groupNamed = Exact(attributes, AttributeNames.ResourceGroupId)
                ?? (Exact(attributes, AttributeNames.ResourceType) == Model.Crn.ResourceGroupType ? Exact(attributes, AttributeNames.Resource) : null);
            if (groupNamed is not null
                && await GetResourceGroupAsync(connection, transaction, groupNamed, cancellationToken) is { Deleted: true } deletedGroup
                && deletedGroup.AccountId == policy.AccountId)
            {
                return Invalid($"{side} resource group '{groupNamed}' has been deleted", $"{field}.{AttributeNames.ResourceGroupId}");
            }
            var named = Exact(attributes, AttributeNames.ServiceInstance);
            if (named is null
                || await GetInstanceAsync(connection, transaction, Model.Crn.InstanceGuid(named), cancellationToken) is not { } instance
                || instance.AccountId != policy.AccountId)
            {
                continue;
            }
            if (instance.Removed)
                return Invalid($"{side} serviceInstance '{named}' has been deleted", $"{field}.{AttributeNames.ServiceInstance}");
            var account = attributes.FirstOrDefault(a => a.Name == AttributeNames.AccountId)?.Value;
            var service = attributes.FirstOrDefault(a => a.Name == AttributeNames.ServiceName)?.Value;
            if (instance.AccountId != account || instance.ServiceName != service)
                return Invalid($"{side} serviceInstance '{named}' is an instance of {instance.ServiceName} in account {instance.AccountId}, not of {service} in account {account}",
                    $"{field}.{AttributeNames.ServiceInstance}");
        }
        if (PolicyBindings.Of(policy).DelegatorInstance is { } delegator
            && await GetInstanceAsync(connection, transaction, delegator, cancellationToken) is not { Removed: false })
        {
            return Invalid($"the delegating instance {policy.CreatedById} has been deleted", null);
        }
        return null;

        static WriteResult<Policy> Invalid(string problem, string? field) => new(WriteStatus.InvalidReference, null, problem, field);
        static string? Exact(IReadOnlyList<AttributeConstraint> attributes, string name) =>
            attributes.FirstOrDefault(a => a.Name == name && a.Operator == AttributeOperator.StringEquals)?.Value;
    }

    /// <summary>Only the policies a caller might see: on the scope's target services, or created by the scope's delegator.</summary>
    private static Sql WithinScope(Sql sql, PolicyScope scope)
    {
        var services = scope.TargetServices.Select((service, i) => ($"@within{i}", (object?)service)).ToArray();
        var byService = services.Length == 0 ? "1 = 0" : $"target_service IN ({string.Join(", ", services.Select(s => s.Item1))})";
        return scope.CreatedById is { } creator
            ? sql.Then($" AND ({byService} OR created_by_id = @creator)", [.. services, ("@creator", creator)])
            : sql.Then($" AND {byService}", services);
    }
}
