using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Tessera.Audit;
using Tessera.Model;
using Tessera.Storage;

namespace Tessera.Management;

/// <summary>
/// Refused attempts are part of the trail (R8): each is recorded, severity <c>critical</c>. A 403 goes to the account
/// it was aimed at (when that account exists) and the caller gets the answer the rule book chose, which for things the
/// caller may not even see is the same "not found" a missing thing gets. A 401, and an API key that exchanges for no
/// token, have no account of their own and go to the operator account's trail.
/// </summary>
/// <remarks>
/// The answer goes first and the record after: <see cref="Record"/> only queues the event, and <see cref="RunAsync"/>
/// writes it. Were it written before answering, refusing an existing object of another account would take a write
/// longer than answering "not found" for a missing one — a timing oracle for what exists. A <see cref="RefusalLimiter"/>
/// per trail keeps a flood of refusals from becoming a flood of writes, and the trail that lost some says how many.
/// </remarks>
public sealed partial class Refusals(ITesseraStore store, RefusalLimiter limiter, TimeProvider time, ManagementMetrics metrics, ILogger<Refusals> logger)
{
    private const int QueueCapacity = 10_000;
    // The limiter's keys: "a/<account id>" for an account's trail, and two budgets of the operator's (no account id has a
    // space): a flood of bad tokens must not hide API-key guessing, nor the other way round.
    private const string AccountTrail = "a/";
    private const string OperatorTrail = "operator 401";
    private const string TokenExchangeTrail = "operator token exchanges";
    private readonly Channel<Pending> _queue = Channel.CreateBounded<Pending>(new BoundedChannelOptions(QueueCapacity)
    {
        FullMode = BoundedChannelFullMode.DropWrite,
        SingleReader = true,
    });
    private int _unwritten;

    /// <summary>Records that <paramref name="call"/> was refused <paramref name="action"/> on <paramref name="target"/> in <paramref name="accountId"/>.</summary>
    public void Record(CallContext call, string accountId, string action, AuditTarget target)
    {
        LogRefused(logger, call.Caller.IamId, action, accountId, call.TransactionId);
        metrics.Refused(action);
        if (limiter.TryAcquire(AccountTrail + accountId))
            Enqueue(new Pending(accountId, (at, _) => AuditEvents.Refusal(call, at, accountId, action, target)));
    }

    /// <summary>A request without a valid token, to an endpoint that needs one.</summary>
    public void RecordUnauthenticated(string method, string path, string transactionId)
    {
        if (limiter.TryAcquire(OperatorTrail))
            Enqueue(new Pending(null, (at, operatorAccount) => AuditEvents.Unauthenticated(method, path, transactionId, at, operatorAccount,
                new AuditTarget(Crn.Of("iam-identity", operatorAccount, "endpoint", path.Replace(':', '_')).ToString(), path, "iam-identity/endpoint"))));
    }

    /// <summary>An API key that matched no live key: API-key guessing shows up in the operator's trail (never the key itself).</summary>
    public void RecordFailedTokenExchange(string clientAddress, string transactionId)
    {
        metrics.Refused(AuditEvents.ApiKeyLoginAction);
        if (limiter.TryAcquire(TokenExchangeTrail))
            Enqueue(new Pending(null, (at, operatorAccount) => AuditEvents.FailedTokenExchange(clientAddress, transactionId, at, operatorAccount)));
    }

    /// <summary>
    /// Writes queued refusals, and the counts of those not recorded, every <see cref="WriteInterval"/> until
    /// <paramref name="stopping"/>; then what is left. On a timer rather than on each arrival, so that the write does not
    /// run beside the very request it records and lengthen its answer.
    /// </summary>
    public async Task RunAsync(CancellationToken stopping)
    {
        using var timer = new PeriodicTimer(WriteInterval, time);
        var ticks = 0;
        try
        {
            while (await timer.WaitForNextTickAsync(stopping))
            {
                await WriteQueuedAsync(CancellationToken.None);
                if (++ticks % CountEvery == 0)
                    await WriteUnrecordedCountsAsync(CancellationToken.None);
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping: write what is queued below.
        }
        await WriteQueuedAsync(CancellationToken.None);
        await WriteUnrecordedCountsAsync(CancellationToken.None);
    }

    private static readonly TimeSpan WriteInterval = TimeSpan.FromMilliseconds(250);
    private const int CountEvery = 4; // the counts of those not recorded, once a second

    /// <summary>Completes once every refusal queued so far is written (or given up on): for tests.</summary>
    public async Task WhenWrittenAsync(CancellationToken cancellationToken)
    {
        while (Volatile.Read(ref _unwritten) > 0)
            await Task.Delay(10, cancellationToken);
    }

    private void Enqueue(Pending pending)
    {
        Interlocked.Increment(ref _unwritten);
        if (!_queue.Writer.TryWrite(pending))
        {
            Interlocked.Decrement(ref _unwritten);
            LogNotRecorded(logger, "the queue of refusals to record is full");
        }
    }

    private async Task WriteQueuedAsync(CancellationToken cancellationToken)
    {
        while (_queue.Reader.TryRead(out var pending))
        {
            try
            {
                await BestEffortAsync(async () =>
                {
                    var accountId = pending.AccountId ?? (await store.GetOperatorAccountAsync(cancellationToken))?.Id;
                    if (accountId is not null && await store.GetAccountAsync(accountId, cancellationToken) is not null)
                        await store.AppendEventAsync(pending.Build(time.GetUtcNow(), accountId), cancellationToken);
                });
            }
            finally
            {
                Interlocked.Decrement(ref _unwritten);
            }
        }
    }

    private async Task WriteUnrecordedCountsAsync(CancellationToken cancellationToken)
    {
        foreach (var (trail, count) in limiter.TakeUnrecorded())
        {
            await BestEffortAsync(async () =>
            {
                var accountId = trail.StartsWith(AccountTrail, StringComparison.Ordinal) ? trail[AccountTrail.Length..]
                    : (await store.GetOperatorAccountAsync(cancellationToken))?.Id;
                if (accountId is not null && await store.GetAccountAsync(accountId, cancellationToken) is not null)
                    await store.AppendEventAsync(AuditEvents.RefusalsNotRecorded(time.GetUtcNow(), accountId, count, RefusalLimiter.PerSecond), cancellationToken);
            });
        }
    }

    /// <summary>
    /// A refusal is answered even when it cannot be recorded: while the database is unreachable the caller still gets
    /// its 401 or 403 (not a 503), and the log says that the trail missed it.
    /// </summary>
    private async Task BestEffortAsync(Func<Task> record)
    {
        try
        {
            await record();
        }
        catch (StoreUnavailableException)
        {
            LogNotRecorded(logger, "the store is unreachable");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Whatever one refusal's record runs into, the writer goes on with the next: it must never stop the node.
            LogNotRecorded(logger, $"{ex.GetType().Name}: {ex.Message}");
        }
    }

    /// <summary>A refusal waiting to be written: its trail's account (null: the operator's) and how to build its event.</summary>
    private sealed class Pending
    {
        private readonly Func<DateTimeOffset, string, AuditEvent> _build;

        public Pending(string? accountId, Func<DateTimeOffset, string, AuditEvent> build) => (AccountId, _build) = (accountId, build);

        public string? AccountId { get; }

        public AuditEvent Build(DateTimeOffset at, string accountId) => _build(at, accountId);
    }

    // Debug: the trail is the record of refusals (limited, and counted when not), and a flood must not become a flood of log lines.
    [LoggerMessage(Level = LogLevel.Debug, Message = "Refused {Caller} {Action} in account {AccountId} (transaction {TransactionId})")]
    private static partial void LogRefused(ILogger logger, string caller, string action, string accountId, string transactionId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A refusal could not be recorded in the audit trail: {Why}")]
    private static partial void LogNotRecorded(ILogger logger, string why);
}
