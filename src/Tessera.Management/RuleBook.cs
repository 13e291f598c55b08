using Microsoft.Extensions.Logging;
using Tessera.Audit;
using Tessera.Catalog;
using Tessera.Decisions;
using Tessera.Policies;
using Tessera.Storage;

namespace Tessera.Management;

/// <summary>
/// The one rule book: every management operation, for every surface (the HTTP API, the console, the CLI's server side).
/// Each operation validates its input against the catalog, applies R3 (who may view and change what, grant only what
/// you hold, lists filtered, "not found" for what the caller may not see), delegation (R10), references and cascades
/// (R7, checked inside the write's transaction by the store) and writes the audit event (R8); it returns a typed
/// <see cref="Outcome{T}"/> and never an HTTP type. Surfaces parse, call and map the outcome: nothing else decides who
/// may manage what.
/// </summary>
/// <remarks>
/// A project of its own rather than part of <c>Tessera.Core</c>: Core is the engine and the model (the benchmarks
/// load it alone), while the rule book composes engine, catalog, store and audit trail into operations, and needs a
/// logger. Neither references ASP.NET Core.
/// </remarks>
public sealed partial class RuleBook(
    ITesseraStore store, AccessAuthority authority, Refusals refusals, PolicyValidator validator, ServiceCatalog catalog, TimeProvider time,
    ManagementMetrics metrics, ISigningKeys signingKeys, ILogger<RuleBook> logger)
{
    /// <summary>
    /// The one way an operation checks a caller against an existing thing. A caller who may not even read it gets the
    /// same "not found" as for a thing that does not exist (it learns nothing); one who may read it but not do the
    /// action is refused with what it lacks. Either way the attempt is recorded in the owning account's trail.
    /// </summary>
    private async ValueTask<Failure?> GuardAsync(CallContext call, string action, string readAction, Attributes resource, AuditTarget target, string what,
        CancellationToken cancellationToken)
    {
        if (await authority.AllowsAsync(call.Caller, action, resource, cancellationToken))
            return null;
        var visible = action != readAction && await authority.AllowsAsync(call.Caller, readAction, resource, cancellationToken);
        refusals.Record(call, resource.AccountId!, action, target);
        return visible ? Refusal(action, resource, what) : Outcome.NotFound(what);
    }

    /// <summary>
    /// Records a refused attempt at something the caller may see (a create, or an action on a visible thing) and says what
    /// it lacks; the trail names it <paramref name="recordedAs"/> where the event's action differs from IAM's (policies).
    /// </summary>
    private Failure Refuse(CallContext call, string action, Attributes resource, AuditTarget target, string what, string? recordedAs = null)
    {
        refusals.Record(call, resource.AccountId!, recordedAs ?? action, target);
        return Refusal(action, resource, what);
    }

    /// <summary>A refusal that names the action, the scope it was asked on, and the roles that would grant it there.</summary>
    private Failure Refusal(string action, in Attributes resource, string what)
    {
        var roles = authority.RolesGranting(action, resource);
        var grantedBy = roles.Count == 0 ? "no role grants it" : $"it is granted by the {string.Join(" or ", roles)} role";
        return Outcome.Refused($"You are not allowed to {action} {what}: {action} on {ScopeText(resource)} is needed, and {grantedBy}.", [action]);
    }

    /// <summary>A scope as a person reads it: "kms instance 1f0c… in account 9a7e…".</summary>
    private static string ScopeText(in Attributes resource)
    {
        var service = resource.ServiceName ?? "every service";
        var narrower = resource.ServiceInstance is { } instance ? $" instance {instance}"
            : resource.ResourceGroupId is { } group ? $" in resource group {group}"
            : resource.ResourceType is { } type ? $" {type}{(resource.Resource is { } name ? $" {name}" : string.Empty)}"
            : string.Empty;
        return $"{service}{narrower} in account {resource.AccountId}";
    }

    /// <summary>Every operation ends here: one log line and one count per write, by operation and outcome.</summary>
    private Outcome<T> Done<T>(CallContext call, string operation, Outcome<T> outcome)
    {
        metrics.Write(operation, outcome.Kind);
        if (outcome.Succeeded)
            LogWrite(logger, operation, call.Caller.IamId, call.TransactionId);
        else
            LogNotWritten(logger, operation, outcome.Kind, call.Caller.IamId, call.TransactionId);
        return outcome;
    }

    private DateTimeOffset Now => time.GetUtcNow();

    [LoggerMessage(Level = LogLevel.Information, Message = "{Operation} by {Caller} (transaction {TransactionId})")]
    private static partial void LogWrite(ILogger logger, string operation, string caller, string transactionId);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Operation} by {Caller} not done: {Outcome} (transaction {TransactionId})")]
    private static partial void LogNotWritten(ILogger logger, string operation, OutcomeKind outcome, string caller, string transactionId);
}
