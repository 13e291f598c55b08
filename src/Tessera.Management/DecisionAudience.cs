using System.Collections.Concurrent;
using Tessera.Decisions;
using Tessera.Storage;

namespace Tessera.Management;

/// <summary>
/// Who may ask the decision API about a resource, and how much the answer may say. A decision is about one account's
/// resource, and its answer — which policy permits, or why nothing does — describes that account's policies; so:
/// <list type="bullet">
/// <item>an identity of the resource's account may ask (its services check their own callers);</item>
/// <item>an identity to which the operator granted <see cref="CheckAction"/> on the resource's service — a policy in the
/// operator account, the platform's own, naming that service — may ask about that service's resources in every
/// account: the way a target service's platform identity asks IAM;</item>
/// <item>nobody else: any other caller is refused, so that no token can probe another account's grants.</item>
/// </list>
/// The policy ids of a permit and the reason for a deny go only to a caller who may read the policies on the resource
/// (<c>iam.policy.read</c>: the account's owner or an Administrator); everyone else gets the bare decision.
/// </summary>
/// <remarks>
/// On the decision path: after a caller's first request it decides without I/O or allocation (the account owners it
/// needs are remembered, and the rest are engine checks).
/// </remarks>
public sealed class DecisionAudience(AccessAuthority authority, ITesseraStore store)
{
    /// <summary>The action of the Decision Checker platform role.</summary>
    public const string CheckAction = "iam.decision.check";
    private const string PolicyReadAction = "iam.policy.read";

    private readonly ConcurrentDictionary<string, bool> _operatorAccounts = new(StringComparer.Ordinal);

    /// <summary>What <paramref name="caller"/> may learn from a decision about <paramref name="resource"/>.</summary>
    public async ValueTask<DecisionAccess> AccessAsync(Caller caller, Attributes resource, CancellationToken cancellationToken)
    {
        if (resource.AccountId is not { } account)
            return DecisionAccess.DecisionOnly; // no policy names no account: the answer is a deny that says nothing
        if (caller.AccountId == account)
        {
            return await authority.IsOwnerAsync(caller, account, cancellationToken) || authority.Permits(caller, PolicyReadAction, resource)
                ? DecisionAccess.Full
                : DecisionAccess.DecisionOnly;
        }
        if (resource.ServiceName is { } service && await IsOperatorAccountAsync(caller.AccountId, cancellationToken)
            && authority.Permits(caller, CheckAction, new Attributes(AccountId: caller.AccountId, ServiceName: service)))
        {
            return authority.Permits(caller, PolicyReadAction, resource) ? DecisionAccess.Full : DecisionAccess.DecisionOnly;
        }
        return DecisionAccess.Refused;
    }

    private async ValueTask<bool> IsOperatorAccountAsync(string accountId, CancellationToken cancellationToken)
    {
        if (_operatorAccounts.TryGetValue(accountId, out var isOperator))
            return isOperator;
        // Accounts never stop or start being the operator's, so the answer is remembered (for accounts that exist).
        if (await store.GetAccountAsync(accountId, cancellationToken) is not { } account)
            return false;
        return _operatorAccounts[accountId] = account.IsOperator;
    }
}

public enum DecisionAccess
{
    /// <summary>The caller may not ask about this resource at all.</summary>
    Refused,

    /// <summary>The decision, without the policies behind it.</summary>
    DecisionOnly,

    /// <summary>The decision with its policy ids or deny reason, and an explanation when asked.</summary>
    Full,
}
