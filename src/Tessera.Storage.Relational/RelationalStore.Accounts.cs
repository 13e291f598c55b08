using Tessera.Audit;
using Tessera.Model;

namespace Tessera.Storage.Relational;

// Accounts: the operator account, tenants and their owners.
public abstract partial class RelationalStore
{
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
        await FindAccountAsync(new Sql("id = @id", ("@id", accountId)), cancellationToken);

    public async ValueTask<Account?> GetOperatorAccountAsync(CancellationToken cancellationToken) =>
        await FindAccountAsync(new Sql("is_operator = 1"), cancellationToken);

    private async ValueTask<Account?> FindAccountAsync(Sql where, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        var sql = new Sql("SELECT id, name, owner_iam_id, created_at, is_operator FROM accounts WHERE ").Then(where.Text, [.. where.Parameters]).Then(" LIMIT 1");
        return (await ReadAllAsync(connection, null, sql,
            r => new Account(r.GetString(0), r.GetString(1), r.GetString(2), Parse(r.GetString(3)), Flag(r, 4)), cancellationToken))
            .SingleOrDefault();
    }
}
