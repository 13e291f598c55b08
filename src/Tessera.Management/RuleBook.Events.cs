using Tessera.Audit;
using Tessera.Decisions;
using Tessera.Storage;

namespace Tessera.Management;

// The audit trail: who may read an account's events, and who may see what decisions reveal (explanations, searches).
public sealed partial class RuleBook
{
    private const string EventsRead = "iam-access-management.events.read";
    private const string PolicyReadAction = "iam.policy.read";

    /// <summary>Whether the caller may read the account's trail; a refusal is recorded and says what is lacking.</summary>
    public async ValueTask<Failure?> MayReadEventsAsync(CallContext call, string accountId, CancellationToken cancellationToken)
    {
        var resource = new Attributes(AccountId: accountId, ServiceName: "iam-access-management");
        return await authority.AllowsAsync(call.Caller, EventsRead, resource, cancellationToken)
            ? null
            : Refuse(call, EventsRead, resource, AuditEvents.Events(accountId), $"the audit trail of account {accountId}");
    }

    /// <summary>A page of the account's trail, for a caller who may read it.</summary>
    public async ValueTask<Outcome<IReadOnlyList<AuditEvent>>> ListEventsAsync(CallContext call, EventQuery query, CancellationToken cancellationToken) =>
        await MayReadEventsAsync(call, query.AccountId, cancellationToken) is { } refusal
            ? refusal
            : Outcome.Ok(await store.ListEventsAsync(query, cancellationToken));

    /// <summary>Explanations show policies: they need iam.policy.read on the resource, as viewing the policies would.</summary>
    public ValueTask<bool> MaySeePoliciesOnAsync(Caller caller, Attributes resource, CancellationToken cancellationToken) =>
        authority.AllowsAsync(caller, PolicyReadAction, resource, cancellationToken);

    /// <summary>What a subject can reach spans accounts: only the subject itself, or its account's owner, may ask.</summary>
    public async ValueTask<bool> MaySearchReachOfAsync(Caller caller, Attributes subject, CancellationToken cancellationToken)
    {
        var self = authority.SubjectOf(caller);
        var isSelf = (subject.IamId is not null && subject.IamId == caller.IamId)
                     || (subject.ServiceInstance is not null && subject.ServiceInstance == self.ServiceInstance && subject.AccountId == self.AccountId);
        return isSelf || (subject.AccountId is not null && await authority.IsOwnerAsync(caller, subject.AccountId, cancellationToken));
    }
}
