using System.Data.Common;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Tessera.Audit;
using Tessera.Model;
using Tessera.Policies;

namespace Tessera.Storage.Sqlite;

/// <summary>
/// The embedded store: one SQLite file in WAL mode. SQLite has a single writer, so writes queue on a gate in
/// this process instead of failing with SQLITE_BUSY; <c>synchronous=FULL</c> makes every acknowledged commit durable.
/// </summary>
public sealed class SqliteStore : ITesseraStore, IDisposable
{
    private const string TimeFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";

    private readonly string _connectionString;
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private readonly IPolicyChangeSink? _changes;

    public SqliteStore(SqliteStoreOptions options, IPolicyChangeSink? changes = null)
    {
        _changes = changes;
        Directory.CreateDirectory(options.DataDirectory);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = options.DatabasePath,
            Pooling = true,
            ForeignKeys = true,
            DefaultTimeout = 30,
        }.ToString();
    }

    public void Dispose()
    {
        _writeGate.Dispose();
        SqliteConnection.ClearAllPools();
    }

    public async ValueTask MigrateAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await ExecuteAsync(connection, null, "PRAGMA journal_mode = WAL;", cancellationToken);
        await ExecuteAsync(connection, null,
            "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL);", cancellationToken);

        await _writeGate.WaitAsync(cancellationToken);
        try
        {
            foreach (var (version, sql) in SqliteMigrations.All())
            {
                await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
                var applied = await ScalarAsync(connection, transaction, "SELECT COUNT(*) FROM schema_migrations WHERE version = $v",
                    cancellationToken, ("$v", version));
                if (Convert.ToInt64(applied, CultureInfo.InvariantCulture) == 0)
                {
                    await ExecuteAsync(connection, transaction, sql, cancellationToken);
                    await ExecuteAsync(connection, transaction, "INSERT INTO schema_migrations (version, applied_at) VALUES ($v, $t)",
                        cancellationToken, ("$v", version), ("$t", Format(DateTimeOffset.UtcNow)));
                }
                await transaction.CommitAsync(cancellationToken);
            }
        }
        finally
        {
            _writeGate.Release();
        }
    }

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

    public async ValueTask CreateAccountAsync(NewAccount account, AuditEvent auditEvent, CancellationToken cancellationToken) =>
        await WriteAsync(async (connection, transaction, revision) =>
        {
            var a = account.Account;
            await ExecuteAsync(connection, transaction,
                "INSERT INTO accounts (id, name, owner_iam_id, created_at) VALUES ($id, $name, $owner, $at)", cancellationToken,
                ("$id", a.Id), ("$name", a.Name), ("$owner", a.OwnerIamId), ("$at", Format(a.CreatedAt)));
            var o = account.Owner;
            await ExecuteAsync(connection, transaction,
                "INSERT INTO identities (iam_id, account_id, kind, name, created_at) VALUES ($id, $account, $kind, $name, $at)", cancellationToken,
                ("$id", o.IamId), ("$account", o.AccountId), ("$kind", o.Kind.ToString()), ("$name", o.Name), ("$at", Format(o.CreatedAt)));
            var g = account.DefaultGroup;
            await ExecuteAsync(connection, transaction,
                "INSERT INTO resource_groups (id, account_id, name, is_default, created_at) VALUES ($id, $account, $name, $default, $at)",
                cancellationToken, ("$id", g.Id), ("$account", g.AccountId), ("$name", g.Name), ("$default", g.IsDefault), ("$at", Format(g.CreatedAt)));
            var k = account.OwnerKey;
            await ExecuteAsync(connection, transaction,
                "INSERT INTO api_keys (id, iam_id, account_id, name, hash, created_at) VALUES ($id, $iam, $account, $name, $hash, $at)",
                cancellationToken, ("$id", k.Id), ("$iam", k.IamId), ("$account", k.AccountId), ("$name", k.Name), ("$hash", k.Hash),
                ("$at", Format(k.CreatedAt)));
            await InsertEventAsync(connection, transaction, auditEvent, revision, cancellationToken);
            return true;
        }, cancellationToken);

    public async ValueTask<Account?> GetAccountAsync(string accountId, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var reader = await QueryAsync(connection, null, "SELECT id, name, owner_iam_id, created_at FROM accounts WHERE id = $id",
            cancellationToken, ("$id", accountId));
        return await reader.ReadAsync(cancellationToken)
            ? new Account(reader.GetString(0), reader.GetString(1), reader.GetString(2), Parse(reader.GetString(3)))
            : null;
    }

    public async ValueTask<Identity?> GetIdentityAsync(string iamId, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var reader = await QueryAsync(connection, null,
            "SELECT iam_id, account_id, kind, name, created_at FROM identities WHERE iam_id = $id", cancellationToken, ("$id", iamId));
        return await reader.ReadAsync(cancellationToken) ? ReadIdentity(reader, 0) : null;
    }

    public async ValueTask<ApiKeyOwner?> FindApiKeyByHashAsync(string hash, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var reader = await QueryAsync(connection, null,
            """
            SELECT k.id, k.iam_id, k.account_id, k.name, k.hash, k.created_at, i.iam_id, i.account_id, i.kind, i.name, i.created_at
            FROM api_keys k JOIN identities i ON i.iam_id = k.iam_id
            WHERE k.hash = $hash
            """, cancellationToken, ("$hash", hash));
        if (!await reader.ReadAsync(cancellationToken))
            return null;
        var key = new ApiKey(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4), Parse(reader.GetString(5)));
        return new ApiKeyOwner(key, ReadIdentity(reader, 6));
    }

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
        await _writeGate.WaitAsync(cancellationToken);
        try
        {
            await using var connection = await OpenAsync(cancellationToken);
            await ExecuteAsync(connection, null,
                "INSERT INTO signing_keys (key_id, private_key, created_at) VALUES ($id, $key, $at) ON CONFLICT (key_id) DO NOTHING",
                cancellationToken, ("$id", key.KeyId), ("$key", key.PrivateKeyPkcs8), ("$at", Format(key.CreatedAt)));
        }
        finally
        {
            _writeGate.Release();
        }
    }

    public async ValueTask<PolicyWriteResult> CreatePolicyAsync(Policy policy, AuditEvent auditEvent, CancellationToken cancellationToken) =>
        await WriteAsync(async (connection, transaction, revision) =>
        {
            var fingerprint = policy.Fingerprint();
            if (await FindActiveByFingerprintAsync(connection, transaction, fingerprint, null, cancellationToken) is { } existing)
                return (new PolicyWriteResult(WriteStatus.Conflict, existing), false);

            var stored = policy with { Revision = revision, ETag = Policy.NewETag(1), State = PolicyState.Active };
            await ExecuteAsync(connection, transaction,
                """
                INSERT INTO policies (id, account_id, type, state, source_service, target_service, fingerprint, body,
                                      created_at, created_by_id, last_modified_at, last_modified_by_id, revision, etag)
                VALUES ($id, $account, $type, $state, $source, $target, $fingerprint, $body, $created, $createdBy, $modified, $modifiedBy, $revision, $etag)
                """, cancellationToken,
                ("$id", stored.Id), ("$account", stored.AccountId), ("$type", stored.Type.ToWire()), ("$state", stored.State.ToWire()),
                ("$source", stored.SubjectValue(AttributeNames.ServiceName)), ("$target", stored.ResourceValue(AttributeNames.ServiceName)),
                ("$fingerprint", fingerprint), ("$body", PolicyBodyCodec.Serialize(stored)),
                ("$created", Format(stored.CreatedAt)), ("$createdBy", stored.CreatedById),
                ("$modified", Format(stored.LastModifiedAt)), ("$modifiedBy", stored.LastModifiedById),
                ("$revision", revision), ("$etag", stored.ETag));
            await InsertEventAsync(connection, transaction, auditEvent, revision, cancellationToken);
            return (new PolicyWriteResult(WriteStatus.Ok, stored), true);
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
        var sql = $"SELECT {PolicyColumns} FROM policies WHERE account_id = $account AND state = $state"
                  + (query.Type is null ? string.Empty : " AND type = $type")
                  + (query.ServiceName is null ? string.Empty : " AND target_service = $service")
                  + (query.After is null ? string.Empty : $" AND ({column} {comparison} $afterValue OR ({column} = $afterValue AND id {comparison} $afterId))")
                  + $" ORDER BY {column} {order}, id {order} LIMIT $limit";

        await using var connection = await OpenAsync(cancellationToken);
        await using var reader = await QueryAsync(connection, null, sql, cancellationToken,
            ("$account", query.AccountId), ("$state", query.State.ToWire()), ("$type", query.Type?.ToWire()), ("$service", query.ServiceName),
            ("$afterValue", query.After?.SortValue), ("$afterId", query.After?.Id), ("$limit", query.Limit + 1));
        var policies = new List<Policy>();
        while (await reader.ReadAsync(cancellationToken))
            policies.Add(ReadPolicy(reader));

        PageCursor? next = null;
        if (policies.Count > query.Limit)
        {
            policies.RemoveAt(policies.Count - 1);
            var last = policies[^1];
            next = new PageCursor(SortValue(last, query.Sort), last.Id);
        }
        return new PolicyPage(policies, next);
    }

    public async ValueTask<PolicyWriteResult> ReplacePolicyAsync(Policy replacement, string expectedETag, AuditEvent auditEvent, CancellationToken cancellationToken) =>
        await WriteAsync(async (connection, transaction, revision) =>
        {
            var current = await GetPolicyAsync(connection, transaction, replacement.Id, cancellationToken);
            if (current is null)
                return (PolicyWriteResult.NotFound, false);
            if (current.ETag != expectedETag)
                return (PolicyWriteResult.PreconditionFailed, false);

            var fingerprint = replacement.Fingerprint();
            if (current.State == PolicyState.Active
                && await FindActiveByFingerprintAsync(connection, transaction, fingerprint, current.Id, cancellationToken) is { } existing)
            {
                return (new PolicyWriteResult(WriteStatus.Conflict, existing), false);
            }

            var stored = replacement with
            {
                State = current.State,
                CreatedAt = current.CreatedAt,
                CreatedById = current.CreatedById,
                Revision = revision,
                ETag = Policy.NewETag(Policy.ETagVersion(current.ETag) + 1),
            };
            await ExecuteAsync(connection, transaction,
                """
                UPDATE policies SET source_service = $source, target_service = $target, fingerprint = $fingerprint, body = $body,
                                    last_modified_at = $modified, last_modified_by_id = $modifiedBy, revision = $revision, etag = $etag
                WHERE id = $id
                """, cancellationToken,
                ("$id", stored.Id), ("$source", stored.SubjectValue(AttributeNames.ServiceName)), ("$target", stored.ResourceValue(AttributeNames.ServiceName)),
                ("$fingerprint", fingerprint), ("$body", PolicyBodyCodec.Serialize(stored)),
                ("$modified", Format(stored.LastModifiedAt)), ("$modifiedBy", stored.LastModifiedById), ("$revision", revision), ("$etag", stored.ETag));
            await InsertEventAsync(connection, transaction, auditEvent, revision, cancellationToken);
            return (new PolicyWriteResult(WriteStatus.Ok, stored), true);
        }, cancellationToken);

    public async ValueTask<PolicyWriteResult> SetPolicyStateAsync(
        string policyId, PolicyState state, string? expectedETag, string modifiedById, DateTimeOffset modifiedAt,
        AuditEvent auditEvent, CancellationToken cancellationToken) =>
        await WriteAsync(async (connection, transaction, revision) =>
        {
            var current = await GetPolicyAsync(connection, transaction, policyId, cancellationToken);
            if (current is null)
                return (PolicyWriteResult.NotFound, false);
            if (expectedETag is not null && current.ETag != expectedETag)
                return (PolicyWriteResult.PreconditionFailed, false);

            // Restoring must not bring back a duplicate of a policy created since the delete (R6).
            if (state == PolicyState.Active && current.State == PolicyState.Deleted
                && await FindActiveByFingerprintAsync(connection, transaction, current.Fingerprint(), current.Id, cancellationToken) is { } existing)
            {
                return (new PolicyWriteResult(WriteStatus.Conflict, existing), false);
            }

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
                UPDATE policies SET state = $state, last_modified_at = $modified, last_modified_by_id = $modifiedBy, revision = $revision, etag = $etag
                WHERE id = $id
                """, cancellationToken,
                ("$id", stored.Id), ("$state", state.ToWire()), ("$modified", Format(modifiedAt)), ("$modifiedBy", modifiedById),
                ("$revision", revision), ("$etag", stored.ETag));
            await InsertEventAsync(connection, transaction, auditEvent, revision, cancellationToken);
            return (new PolicyWriteResult(WriteStatus.Ok, stored), true);
        }, cancellationToken);

    public async IAsyncEnumerable<Policy> ReadActivePoliciesAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var reader = await QueryAsync(connection, null, $"SELECT {PolicyColumns} FROM policies WHERE state = 'active'", cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            yield return ReadPolicy(reader);
    }

    public async ValueTask<IReadOnlyList<AuditEvent>> ListEventsAsync(string accountId, long afterRevision, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var reader = await QueryAsync(connection, null,
            "SELECT body, revision FROM events WHERE account_id = $account AND revision > $after ORDER BY revision, seq LIMIT $limit",
            cancellationToken, ("$account", accountId), ("$after", afterRevision), ("$limit", limit));
        var events = new List<AuditEvent>();
        while (await reader.ReadAsync(cancellationToken))
            events.Add(AuditEventCodec.FromJson(reader.GetString(0), reader.GetInt64(1)));
        return events;
    }

    private const string PolicyColumns =
        "id, account_id, type, state, body, created_at, created_by_id, last_modified_at, last_modified_by_id, revision, etag";

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

    private static string SortValue(Policy policy, PolicySortField field) => field switch
    {
        PolicySortField.CreatedAt => Format(policy.CreatedAt),
        PolicySortField.LastModifiedAt => Format(policy.LastModifiedAt),
        PolicySortField.Id => policy.Id,
        PolicySortField.Type => policy.Type.ToWire(),
        PolicySortField.State => policy.State.ToWire(),
        PolicySortField.CreatedById => policy.CreatedById,
        PolicySortField.LastModifiedById => policy.LastModifiedById,
        _ => throw new ArgumentOutOfRangeException(nameof(field), field, null),
    };

    private static async ValueTask<Policy?> GetPolicyAsync(SqliteConnection connection, SqliteTransaction? transaction, string id, CancellationToken cancellationToken)
    {
        await using var reader = await QueryAsync(connection, transaction, $"SELECT {PolicyColumns} FROM policies WHERE id = $id", cancellationToken, ("$id", id));
        return await reader.ReadAsync(cancellationToken) ? ReadPolicy(reader) : null;
    }

    private static async ValueTask<Policy?> FindActiveByFingerprintAsync(
        SqliteConnection connection, SqliteTransaction transaction, string fingerprint, string? exceptId, CancellationToken cancellationToken)
    {
        await using var reader = await QueryAsync(connection, transaction,
            $"SELECT {PolicyColumns} FROM policies WHERE fingerprint = $fingerprint AND state = 'active' AND id IS NOT $except",
            cancellationToken, ("$fingerprint", fingerprint), ("$except", exceptId));
        return await reader.ReadAsync(cancellationToken) ? ReadPolicy(reader) : null;
    }

    private static Policy ReadPolicy(DbDataReader reader)
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

    private static Identity ReadIdentity(DbDataReader reader, int first) => new(
        reader.GetString(first), reader.GetString(first + 1), Enum.Parse<IdentityKind>(reader.GetString(first + 2)),
        reader.GetString(first + 3), Parse(reader.GetString(first + 4)));

    private static async ValueTask InsertEventAsync(SqliteConnection connection, SqliteTransaction transaction, AuditEvent e, long revision, CancellationToken cancellationToken) =>
        await ExecuteAsync(connection, transaction,
            "INSERT INTO events (id, revision, account_id, action, target_id, event_time, body) VALUES ($id, $revision, $account, $action, $target, $time, $body)",
            cancellationToken, ("$id", e.Id), ("$revision", revision), ("$account", e.AccountId), ("$action", e.Action), ("$target", e.Target.Id),
            ("$time", Format(e.EventTime)), ("$body", AuditEventCodec.ToJson(e)));

    /// <summary>
    /// Runs one write transaction: advances the revision, runs <paramref name="write"/>, and commits only when it says so.
    /// A write that decides not to change anything (a conflict, a stale ETag) rolls back, so the revision does not move.
    /// </summary>
    private async ValueTask<T> WriteAsync<T>(Func<SqliteConnection, SqliteTransaction, long, ValueTask<(T Result, bool Commit)>> write, CancellationToken cancellationToken)
    {
        await _writeGate.WaitAsync(cancellationToken);
        try
        {
            await using var connection = await OpenAsync(cancellationToken);
            await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
            var revision = Convert.ToInt64(
                await ScalarAsync(connection, transaction, "UPDATE revision SET value = value + 1 WHERE id = 1 RETURNING value", cancellationToken),
                CultureInfo.InvariantCulture);
            var (result, commit) = await write(connection, transaction, revision);
            if (!commit)
            {
                await transaction.RollbackAsync(cancellationToken);
                return result;
            }
            await transaction.CommitAsync(cancellationToken);
            // Still inside the gate: the sink hears about commits in revision order.
            if (_changes is not null && result is PolicyWriteResult { Status: WriteStatus.Ok, Policy: { } changed })
                _changes.Apply(revision, [changed]);
            return result;
        }
        finally
        {
            _writeGate.Release();
        }
    }

    private async ValueTask WriteAsync(Func<SqliteConnection, SqliteTransaction, long, ValueTask<bool>> write, CancellationToken cancellationToken) =>
        await WriteAsync<bool>(async (connection, transaction, revision) => (true, await write(connection, transaction, revision)), cancellationToken);

    private async ValueTask<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        // Per connection: FULL makes a commit durable before it is acknowledged; wait for a lock rather than fail.
        await ExecuteAsync(connection, null, "PRAGMA synchronous = FULL; PRAGMA busy_timeout = 10000;", cancellationToken);
        return connection;
    }

    private static async ValueTask ExecuteAsync(SqliteConnection connection, SqliteTransaction? transaction, string sql,
        CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        await using var command = Command(connection, transaction, sql, parameters);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async ValueTask<object?> ScalarAsync(SqliteConnection connection, SqliteTransaction? transaction, string sql,
        CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        await using var command = Command(connection, transaction, sql, parameters);
        return await command.ExecuteScalarAsync(cancellationToken);
    }

    private static async Task<SqliteDataReader> QueryAsync(SqliteConnection connection, SqliteTransaction? transaction, string sql,
        CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        var command = Command(connection, transaction, sql, parameters);
        // The reader owns the command from here; disposing the reader is enough.
        return await command.ExecuteReaderAsync(System.Data.CommandBehavior.Default, cancellationToken);
    }

    private static SqliteCommand Command(SqliteConnection connection, SqliteTransaction? transaction, string sql, (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        foreach (var (name, value) in parameters)
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        return command;
    }

    private static string Format(DateTimeOffset time) => time.UtcDateTime.ToString(TimeFormat, CultureInfo.InvariantCulture);

    private static DateTimeOffset Parse(string text) =>
        DateTimeOffset.ParseExact(text, TimeFormat, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
}
