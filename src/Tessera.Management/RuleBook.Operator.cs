using Tessera.Audit;
using Tessera.Model;

namespace Tessera.Management;

// What only the operator account's owner does to the deployment itself.
public sealed partial class RuleBook
{
    /// <summary>
    /// A new token-signing key for every node. New tokens are signed with it; tokens signed with the previous key stay
    /// valid until they expire (the JWKS serves both meanwhile). The key is not shown, only its id.
    /// </summary>
    public async ValueTask<Outcome<string>> RotateSigningKeyAsync(CallContext call, CancellationToken cancellationToken)
    {
        const string Operation = "signing-key.rotate";
        const string Action = "iam-identity.signing-key.create";
        var caller = call.Caller;
        var target = new AuditTarget(Crn.Of("iam-identity", caller.AccountId, "signing-key", "new").ToString(), "signing key", "iam-identity/signing-key");
        if (!await IsOperatorOwnerAsync(caller, cancellationToken))
        {
            refusals.Record(call, caller.AccountId, Action, target);
            return Done(call, Operation, (Outcome<string>)Outcome.Refused($"Only the operator account's owner rotates the signing key: {Action} is reserved to it.",
                [Action]));
        }
        var keyId = await signingKeys.RotateAsync(AuditEvents.For(call, Now, caller.AccountId, Action, target, 201, "rotate the token-signing key"),
            cancellationToken);
        return Done(call, Operation, Outcome.Created(keyId));
    }

    private async ValueTask<bool> IsOperatorOwnerAsync(Caller caller, CancellationToken cancellationToken) =>
        await store.GetAccountAsync(caller.AccountId, cancellationToken) is { IsOperator: true }
        && await authority.IsOwnerAsync(caller, caller.AccountId, cancellationToken);
}
