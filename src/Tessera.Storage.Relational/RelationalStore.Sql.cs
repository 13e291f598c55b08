using System.Data.Common;
using System.Globalization;
using System.Text;
using Tessera.Model;
using Tessera.Policies;

namespace Tessera.Storage.Relational;

// ADO.NET helpers: connections, the write transaction, commands with exactly their parameters, and the one place where
// a provider's transient failure becomes the store's StoreUnavailableException.
public abstract partial class RelationalStore
{
    /// <summary>What one transaction changed that the change sink follows.</summary>
    private sealed class Changes
    {
        public List<Policy> Policies { get; } = [];
        public List<ServiceInstance> Instances { get; } = [];
        public List<GroupMembership> Memberships { get; } = [];
        public List<CredentialChange> Credentials { get; } = [];
    }

    /// <summary>A new open connection; a database that cannot be reached is <see cref="StoreUnavailableException"/>.</summary>
    protected async ValueTask<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await OpenConnectionAsync(cancellationToken);
        }
        catch (DbException ex) when (ex.IsTransient)
        {
            throw new StoreUnavailableException(ex);
        }
    }

    /// <summary>
    /// Runs one write transaction: advances the revision, runs <paramref name="write"/>, and commits only when it says so.
    /// A write that decides not to change anything (a conflict, a stale ETag) rolls back, so the revision does not move.
    /// A transient failure anywhere rolls back too (the transaction ends with its connection) and is reported as
    /// <see cref="StoreUnavailableException"/>: nothing was acknowledged, so a retry is safe.
    /// </summary>
    private async ValueTask<T> WriteAsync<T>(Func<DbConnection, DbTransaction, long, Changes, ValueTask<(T Result, bool Commit)>> write,
        CancellationToken cancellationToken)
    {
        using var gate = await EnterWriteAsync(cancellationToken);
        await using var connection = await OpenAsync(cancellationToken);
        Changes changes;
        long revision;
        try
        {
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            revision = Convert.ToInt64(await ScalarAsync(connection, transaction, NextRevisionSql, cancellationToken), CultureInfo.InvariantCulture);
            changes = new Changes();
            var (result, commit) = await write(connection, transaction, revision, changes);
            if (!commit)
            {
                await transaction.RollbackAsync(cancellationToken);
                return result;
            }
            await BeforeCommitAsync(connection, transaction, revision, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            await AfterCommitAsync(new ChangeSet(revision, changes.Policies, changes.Instances, changes.Memberships, changes.Credentials), cancellationToken);
            return result;
        }
        catch (DbException ex) when (ex.IsTransient)
        {
            throw new StoreUnavailableException(ex);
        }
    }

    protected static async ValueTask<List<T>> ReadAllAsync<T>(DbConnection connection, DbTransaction? transaction, Sql sql,
        Func<DbDataReader, T> read, CancellationToken cancellationToken)
    {
        try
        {
            await using var rows = await QueryAsync(connection, transaction, sql, cancellationToken);
            var all = new List<T>();
            while (await rows.Reader.ReadAsync(cancellationToken))
                all.Add(read(rows.Reader));
            return all;
        }
        catch (DbException ex) when (ex.IsTransient)
        {
            throw new StoreUnavailableException(ex);
        }
    }

    protected static async ValueTask ExecuteAsync(DbConnection connection, DbTransaction? transaction, Sql sql, CancellationToken cancellationToken)
    {
        try
        {
            await using var command = Command(connection, transaction, sql);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        catch (DbException ex) when (ex.IsTransient)
        {
            throw new StoreUnavailableException(ex);
        }
    }

    protected static async ValueTask<object?> ScalarAsync(DbConnection connection, DbTransaction? transaction, Sql sql, CancellationToken cancellationToken)
    {
        try
        {
            await using var command = Command(connection, transaction, sql);
            return await command.ExecuteScalarAsync(cancellationToken);
        }
        catch (DbException ex) when (ex.IsTransient)
        {
            throw new StoreUnavailableException(ex);
        }
    }

    protected static async Task<Rows> QueryAsync(DbConnection connection, DbTransaction? transaction, Sql sql, CancellationToken cancellationToken)
    {
        var command = Command(connection, transaction, sql);
        try
        {
            return new Rows(command, await command.ExecuteReaderAsync(System.Data.CommandBehavior.Default, cancellationToken));
        }
        catch (DbException ex) when (ex.IsTransient)
        {
            await command.DisposeAsync();
            throw new StoreUnavailableException(ex);
        }
    }

    // The common case: a fixed statement with its parameters.
    protected static ValueTask<List<T>> ReadAllAsync<T>(DbConnection connection, DbTransaction? transaction, string sql,
        Func<DbDataReader, T> read, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters) =>
        ReadAllAsync(connection, transaction, new Sql(sql, parameters), read, cancellationToken);

    protected static ValueTask ExecuteAsync(DbConnection connection, DbTransaction? transaction, string sql,
        CancellationToken cancellationToken, params (string Name, object? Value)[] parameters) =>
        ExecuteAsync(connection, transaction, new Sql(sql, parameters), cancellationToken);

    protected static ValueTask<object?> ScalarAsync(DbConnection connection, DbTransaction? transaction, string sql,
        CancellationToken cancellationToken, params (string Name, object? Value)[] parameters) =>
        ScalarAsync(connection, transaction, new Sql(sql, parameters), cancellationToken);

    protected static Task<Rows> QueryAsync(DbConnection connection, DbTransaction? transaction, string sql,
        CancellationToken cancellationToken, params (string Name, object? Value)[] parameters) =>
        QueryAsync(connection, transaction, new Sql(sql, parameters), cancellationToken);

    /// <summary>
    /// A reader with the command it reads: disposing it disposes both. A reader alone does not dispose its command, which
    /// then left its prepared statement to the finalizer (a profile of a batch write showed the finalizer busy with them).
    /// </summary>
    protected sealed class Rows(DbCommand command, DbDataReader reader) : IAsyncDisposable
    {
        public DbDataReader Reader { get; } = reader;

        public async ValueTask DisposeAsync()
        {
            await Reader.DisposeAsync();
            await command.DisposeAsync();
        }
    }

    private static DbCommand Command(DbConnection connection, DbTransaction? transaction, Sql sql)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql.Text;
        command.Transaction = transaction;
        foreach (var (name, value) in sql.Parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            // Flags as the integers both schemas store.
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

    /// <summary>
    /// A statement and exactly the parameters it names. Statements with optional parts are built with
    /// <see cref="And"/>, each part carrying its own parameters, so that no parameter is ever sent that the text lacks.
    /// </summary>
    protected sealed class Sql
    {
        private readonly StringBuilder _text;
        private readonly List<(string Name, object? Value)> _parameters;

        public Sql(string text, params (string Name, object? Value)[] parameters)
        {
            _text = new StringBuilder(text);
            _parameters = [.. parameters];
        }

        public string Text => _text.ToString();

        public IReadOnlyList<(string Name, object? Value)> Parameters => _parameters;

        /// <summary>Appends <paramref name="text"/> (with its parameters) when <paramref name="include"/> holds.</summary>
        public Sql And(bool include, string text, params (string Name, object? Value)[] parameters)
        {
            if (include)
            {
                _text.Append(text);
                _parameters.AddRange(parameters);
            }
            return this;
        }

        /// <summary>Appends <paramref name="text"/> and its parameters.</summary>
        public Sql Then(string text, params (string Name, object? Value)[] parameters) => And(true, text, parameters);
    }
}
