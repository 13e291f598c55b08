using Tessera.Audit;
using Tessera.Model;
using Tessera.Server.Identity;
using Tessera.Storage;

namespace Tessera.Server.Audit;

/// <summary>
/// Refused attempts are part of the trail (R8): each is recorded, severity <c>critical</c>. A 403 goes to the account
/// it was aimed at (when that account exists) and the caller gets the answer the endpoint chose, which for things the
/// caller may not even see is the same 404 a missing thing gets. A 401 has no account of its own and goes to the
/// operator account's trail. A <see cref="RefusalLimiter"/> keeps a flood of refusals from becoming a flood of writes.
/// </summary>
internal static class Refusals
{
    public static async ValueTask<IResult> RecordAsync(HttpContext context, Caller caller, ITesseraStore store, string accountId, string action,
        AuditTarget target, IResult answer, CancellationToken cancellationToken)
    {
        if (context.RequestServices.GetRequiredService<RefusalLimiter>().TryAcquire(out var suppressed))
        {
            await BestEffortAsync(context, async () =>
            {
                if (await store.GetAccountAsync(accountId, cancellationToken) is not null)
                {
                    await store.AppendEventAsync(WithSuppressed(AuditEvents.Refusal(context, caller, accountId, action, target, StatusCodes.Status403Forbidden),
                        suppressed), cancellationToken);
                }
            });
        }
        return answer;
    }

    /// <summary>A request without a valid token, to an endpoint that needs one.</summary>
    public static async ValueTask RecordUnauthenticatedAsync(HttpContext context)
    {
        var services = context.RequestServices;
        var store = services.GetRequiredService<ITesseraStore>();
        if (!services.GetRequiredService<RefusalLimiter>().TryAcquire(out var suppressed))
            return;
        await BestEffortAsync(context, async () =>
        {
            if (await store.GetOperatorAccountAsync(context.RequestAborted) is not { } operatorAccount)
                return;
            var path = context.Request.Path.ToString();
            var target = new AuditTarget(Crn.Of("iam-identity", operatorAccount.Id, "endpoint", path.Replace(':', '_')).ToString(), path, "iam-identity/endpoint");
            await store.AppendEventAsync(WithSuppressed(AuditEvents.Refusal(context, null, operatorAccount.Id, "iam-identity.token.validate", target,
                StatusCodes.Status401Unauthorized), suppressed), context.RequestAborted);
        });
    }

    /// <summary>
    /// A refusal is answered even when it cannot be recorded: while the database is unreachable the caller still gets
    /// its 401 or 403 (not a 503), and the log says that the trail missed it.
    /// </summary>
    private static async ValueTask BestEffortAsync(HttpContext context, Func<Task> record)
    {
        try
        {
            await record();
        }
        catch (System.Data.Common.DbException ex) when (ex.IsTransient)
        {
            context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(Refusals))
                .LogWarning("A refused request to {Path} could not be recorded in the audit trail: the store is unreachable", context.Request.Path);
        }
    }

    private static AuditEvent WithSuppressed(AuditEvent auditEvent, long suppressed)
    {
        if (suppressed > 0)
            auditEvent.ResponseData!["refusals_not_recorded_since_last"] = suppressed;
        return auditEvent;
    }
}

/// <summary>
/// At most <see cref="PerSecond"/> refusals are recorded each second; the next one recorded says how many were not.
/// Without it, anyone able to reach the port could make every unauthenticated request cost a durable write.
/// </summary>
internal sealed class RefusalLimiter(TimeProvider time)
{
    public const int PerSecond = 50;
    private readonly Lock _lock = new();
    private long _second;
    private int _recorded;
    private long _suppressed;

    public bool TryAcquire(out long suppressedBefore)
    {
        var second = time.GetUtcNow().ToUnixTimeSeconds();
        lock (_lock)
        {
            if (second != _second)
                (_second, _recorded) = (second, 0);
            if (_recorded == PerSecond)
            {
                _suppressed++;
                suppressedBefore = 0;
                return false;
            }
            _recorded++;
            suppressedBefore = _suppressed;
            _suppressed = 0;
            return true;
        }
    }
}
