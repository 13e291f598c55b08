using System.Data.Common;
using Tessera.Audit;
using Tessera.Model;

namespace Tessera.Storage.Relational;

// Identities (users, service IDs, instance identities), their API keys, and the token signing keys.
public abstract partial class RelationalStore
{
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
            await LogCredentialChangeAsync(connection, transaction, revision, changes, new CredentialChange(CredentialKind.IdentityDeleted, iamId, at), cancellationToken);
            await DeleteKeysOfAsync(connection, transaction, revision, changes, iamId, at, cascade, cancellationToken);
            await EndMembershipsAsync(connection, transaction, revision, "iam_id = @id", changes, cascade, cancellationToken, ("@id", iamId));
            await CascadePoliciesAsync(connection, transaction, revision, changes, "subject_id = @id", actorId, at, cascade, cancellationToken, ("@id", iamId));
            return (WriteResult.Ok(stored), true);
        }, cancellationToken);

    public async ValueTask<ApiKeyOwner?> FindApiKeyByHashAsync(string hash, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var rows = await QueryAsync(connection, null,
            $"""
            SELECT {ApiKeyColumns("k")}, {IdentityColumnsOf("i")}
            FROM api_keys k JOIN identities i ON i.iam_id = k.iam_id
            WHERE k.hash = @hash AND k.deleted = 0 AND i.deleted = 0
            """, cancellationToken, ("@hash", hash));
        var reader = rows.Reader;
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
        var sql = new Sql($"SELECT {ApiKeyColumns("k")} FROM api_keys k WHERE account_id = @account AND deleted = 0", ("@account", accountId))
            .And(iamId is not null, " AND iam_id = @iam", ("@iam", iamId))
            .Then(" ORDER BY created_at, id");
        return await ReadAllAsync(connection, null, sql, ReadApiKey, cancellationToken);
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
        await WriteAsync(async (connection, transaction, revision, changes) =>
        {
            var current = await GetApiKeyAsync(connection, transaction, id, cancellationToken);
            if (current is null || current.Deleted)
                return (WriteResult.Refused<ApiKey>(WriteStatus.NotFound), false);
            await ExecuteAsync(connection, transaction, "UPDATE api_keys SET deleted = 1, modified_at = @at WHERE id = @id", cancellationToken,
                ("@id", id), ("@at", Format(auditEvent.EventTime)));
            await InsertEventAsync(connection, transaction, auditEvent, revision, cancellationToken);
            await LogCredentialChangeAsync(connection, transaction, revision, changes, new CredentialChange(CredentialKind.ApiKeyDeleted, id, auditEvent.EventTime),
                cancellationToken);
            return (WriteResult.Ok(current with { Deleted = true }), true);
        }, cancellationToken);

    public async ValueTask<IReadOnlyList<SigningKey>> GetSigningKeysAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var rows = await QueryAsync(connection, null, "SELECT key_id, private_key, created_at FROM signing_keys ORDER BY created_at", cancellationToken);
        var reader = rows.Reader;
        var keys = new List<SigningKey>();
        while (await reader.ReadAsync(cancellationToken))
            keys.Add(new SigningKey(reader.GetString(0), (byte[])reader.GetValue(1), Parse(reader.GetString(2))));
        return keys;
    }

    public ValueTask AddFirstSigningKeyAsync(SigningKey key, CancellationToken cancellationToken) =>
        AddSigningKeyAsync(key, null, "WHERE NOT EXISTS (SELECT 1 FROM signing_keys)", cancellationToken);

    public ValueTask AddSigningKeyAsync(SigningKey key, AuditEvent auditEvent, CancellationToken cancellationToken) =>
        AddSigningKeyAsync(key, auditEvent, string.Empty, cancellationToken);

    private async ValueTask AddSigningKeyAsync(SigningKey key, AuditEvent? auditEvent, string condition, CancellationToken cancellationToken) =>
        await WriteAsync<bool>(async (connection, transaction, revision, changes) =>
        {
            // Writers are serialized on the revision row, so the condition holds at commit: two nodes starting on an empty
            // database make one first key, not two.
            var added = await ScalarAsync(connection, transaction,
                $"INSERT INTO signing_keys (key_id, private_key, created_at) SELECT @id, @key, @at {condition} ON CONFLICT (key_id) DO NOTHING RETURNING key_id",
                cancellationToken, ("@id", key.KeyId), ("@key", key.PrivateKeyPkcs8), ("@at", Format(key.CreatedAt))) is string;
            if (!added)
                return (false, false);
            if (auditEvent is not null)
                await InsertEventAsync(connection, transaction, auditEvent, revision, cancellationToken);
            await LogCredentialChangeAsync(connection, transaction, revision, changes, new CredentialChange(CredentialKind.SigningKeyAdded, key.KeyId, key.CreatedAt),
                cancellationToken);
            return (true, true);
        }, cancellationToken);

    private static async ValueTask DeleteKeysOfAsync(DbConnection connection, DbTransaction transaction, long revision, Changes changes, string iamId,
        DateTimeOffset at, ICascadeEvents cascade, CancellationToken cancellationToken)
    {
        var deleted = await ReadAllAsync(connection, transaction,
            $"UPDATE api_keys SET deleted = 1, modified_at = @at WHERE iam_id = @iam AND deleted = 0 RETURNING {ApiKeyColumns("api_keys")}".Replace("api_keys.", string.Empty, StringComparison.Ordinal),
            ReadApiKey, cancellationToken, ("@iam", iamId), ("@at", Format(at)));
        foreach (var key in deleted)
        {
            await InsertEventAsync(connection, transaction, cascade.ApiKeyDeleted(key), revision, cancellationToken);
            await LogCredentialChangeAsync(connection, transaction, revision, changes, new CredentialChange(CredentialKind.ApiKeyDeleted, key.Id, at), cancellationToken);
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

    private static async ValueTask InsertIdentityAsync(DbConnection connection, DbTransaction transaction, Identity i, CancellationToken cancellationToken) =>
        await ExecuteAsync(connection, transaction,
            $"INSERT INTO identities ({IdentityColumns}) VALUES (@id, @account, @kind, @name, @at, @description, @locked, 0, @at, @version)",
            cancellationToken, ("@id", i.IamId), ("@account", i.AccountId), ("@kind", i.Kind.ToString()), ("@name", i.Name), ("@at", Format(i.CreatedAt)),
            ("@description", i.Description), ("@locked", i.Locked), ("@version", i.Version));

    private static async ValueTask InsertApiKeyAsync(DbConnection connection, DbTransaction transaction, ApiKey k, CancellationToken cancellationToken) =>
        await ExecuteAsync(connection, transaction,
            $"INSERT INTO api_keys ({ApiKeyColumns("api_keys")}) VALUES (@id, @iam, @account, @name, @hash, @at, @description, @by, @locked, 0, @at, 1)"
                .Replace("api_keys.", string.Empty, StringComparison.Ordinal),
            cancellationToken, ("@id", k.Id), ("@iam", k.IamId), ("@account", k.AccountId), ("@name", k.Name), ("@hash", k.Hash),
            ("@at", Format(k.CreatedAt)), ("@description", k.Description), ("@by", k.CreatedBy), ("@locked", k.Locked));
}
