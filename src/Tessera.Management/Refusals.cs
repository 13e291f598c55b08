using Microsoft.Extensions.Logging;
using Tessera.Audit;
using Tessera.Model;
using Tessera.Storage;

namespace Tessera.Management;

/// <summary>
/// Refused attempts are part of the trail (R8): each is recorded, severity <c>critical</c>. A 403 goes to the account
/// it was aimed at (when that account exists) and the caller gets the answer the rule book chose, which for things the
/// caller may not even see is the same "not found" a missing thing gets. A 401 has no account of its own and goes to the
/// operator account's trail. A <see cref="RefusalLimiter"/> keeps a flood of refusals from becoming a flood of writes.
/// </summary>
public sealed partial class Refusals(ITesseraStore store, RefusalLimiter limiter, TimeProvider time, ManagementMetrics metrics, ILogger<Refusals> logger)
{
    /// <summary>Records that <paramref name="call"/> was refused <paramref name="action"/> on <paramref name="target"/> in <paramref name="accountId"/>.</summary>
    public async ValueTask RecordAsync(CallContext call, string accountId, string action, AuditTarget target, CancellationToken cancellationToken)
    {
        LogRefused(logger, call.Caller.IamId, action, accountId, call.TransactionId);
        metrics.Refused(action);
        if (!limiter.TryAcquire(out var suppressed))
            return;
        await BestEffortAsync(call.Path, async () =>
        {
            if (await store.GetAccountAsync(accountId, cancellationToken) is not null)
                await store.AppendEventAsync(WithSuppressed(AuditEvents.Refusal(call, time.GetUtcNow(), accountId, action, target), suppressed), cancellationToken);
        });
    }

    /// <summary>A request without a valid token, to an endpoint that needs one.</summary>
    public async ValueTask RecordUnauthenticatedAsync(string method, string path, string transactionId, CancellationToken cancellationToken)
    {
        if (!limiter.TryAcquire(out var suppressed))
            return;
        await BestEffortAsync(path, async () =>
        {
            if (await store.GetOperatorAccountAsync(cancellationToken) is not { } operatorAccount)
                return;
            var target = new AuditTarget(Crn.Of("iam-identity", operatorAccount.Id, "endpoint", path.Replace(':', '_')).ToString(), path, "iam-identity/endpoint");
            await store.AppendEventAsync(WithSuppressed(AuditEvents.Unauthenticated(method, path, transactionId, time.GetUtcNow(), operatorAccount.Id, target),
                suppressed), cancellationToken);
        });
    }

    /// <summary>
    /// A refusal is answered even when it cannot be recorded: while the database is unreachable the caller still gets
    /// its 401 or 403 (not a 503), and the log says that the trail missed it.
    /// </summary>
    private async ValueTask BestEffortAsync(string path, Func<Task> record)
    {
        try
        {
            await record();
        }
        catch (StoreUnavailableException)
        {
            LogNotRecorded(logger, path);
        }
    }

    private static AuditEvent WithSuppressed(AuditEvent auditEvent, long suppressed)
    {
        if (suppressed > 0)
            auditEvent.ResponseData!["refusals_not_recorded_since_last"] = suppressed;
        return auditEvent;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Refused {Caller} {Action} in account {AccountId} (transaction {TransactionId})")]
    private static partial void LogRefused(ILogger logger, string caller, string action, string accountId, string transactionId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A refused request to {Path} could not be recorded in the audit trail: the store is unreachable")]
    private static partial void LogNotRecorded(ILogger logger, string path);
}
