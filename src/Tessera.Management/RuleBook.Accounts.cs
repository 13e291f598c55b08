using System.Text.Json.Nodes;
using Tessera.Audit;
using Tessera.Decisions;
using Tessera.Model;
using Tessera.Security;
using Tessera.Storage;

namespace Tessera.Management;

// Accounts (the operator creates them) and their users (owners and user-management Administrators add them).
public sealed partial class RuleBook
{
    /// <summary>A new account with its owner, <c>Default</c> group and the owner's first key (its value shown once). Operator only.</summary>
    public async ValueTask<Outcome<NewAccountCreated>> CreateAccountAsync(CallContext call, string name, string? ownerEmail, CancellationToken cancellationToken)
    {
        const string Action = "iam-identity.account.create";
        var caller = call.Caller;
        if (!await IsOperatorOwnerAsync(caller, cancellationToken))
        {
            refusals.Record(call, caller.AccountId, Action,
                new AuditTarget("crn:v1:bluemix:public:iam-identity:::::account:new", "new account", "iam-identity/account"));
            return Done(call, "account.create", (Outcome<NewAccountCreated>)Outcome.Refused(
                $"Only the operator account's owner creates accounts: {Action} is reserved to it.", [Action]));
        }
        var secret = ApiKeySecrets.NewSecret();
        var initiator = new AuditInitiator(caller.IamId, caller.IamId, caller.InitiatorTypeUri, "token");
        var (account, auditEvent) = NewAccount.Create(name, ownerEmail ?? "owner", secret, initiator, Now);
        await store.CreateAccountAsync(account, auditEvent, cancellationToken);
        return Done(call, "account.create", Outcome.Created(new NewAccountCreated(account, secret)));
    }

    /// <summary>Every identity of an account sees the account; no one else learns whether it exists.</summary>
    public async ValueTask<Outcome<Account>> GetAccountAsync(CallContext call, string accountId, CancellationToken cancellationToken) =>
        call.Caller.AccountId == accountId && await store.GetAccountAsync(accountId, cancellationToken) is { } account
            ? Outcome.Ok(account)
            : Outcome.NotFound($"Account {accountId}");

    public async ValueTask<Outcome<Identity>> AddUserAsync(CallContext call, string accountId, string email, CancellationToken cancellationToken)
    {
        const string Action = "user-management.user.create";
        var resource = UserManagement(accountId);
        if (!await authority.AllowsAsync(call.Caller, Action, resource, cancellationToken))
        {
            return Done(call, "user.create", (Outcome<Identity>)Refuse(call, Action, resource, AuditEvents.User(accountId, "new", "new user"),
                $"users of account {accountId}"));
        }
        if (!email.Contains('@', StringComparison.Ordinal))
            return Done(call, "user.create", (Outcome<Identity>)Outcome.Invalid($"email '{email}' is not an email address", "email"));
        var identity = new Identity("IBMid-" + Ids.NewHex32()[..10].ToUpperInvariant(), accountId, IdentityKind.User, email, Now);
        var auditEvent = AuditEvents.For(call, Now, accountId, Action, AuditEvents.User(accountId, identity.IamId, email), 201, $"add user {identity.IamId}",
            new JsonObject { ["email"] = email });
        var result = await store.CreateIdentityAsync(identity, auditEvent, cancellationToken);
        return Done(call, "user.create", result.Status == WriteStatus.Ok
            ? Outcome.Created(result.Value!)
            : Outcome.Conflict($"An identity {identity.IamId} already exists."));
    }

    /// <summary>
    /// Removes a user from the account: its API keys, memberships and the policies granted to it go with it (R7), and the
    /// tokens issued for it end on every node at once. The account's owner cannot be removed.
    /// </summary>
    public async ValueTask<Outcome<Identity>> RemoveUserAsync(CallContext call, string accountId, string iamId, CancellationToken cancellationToken)
    {
        const string Operation = "user.delete";
        const string Action = "user-management.user.delete";
        var resource = UserManagement(accountId);
        var what = $"User {iamId}";
        if (await store.GetIdentityAsync(iamId, cancellationToken) is not { Kind: IdentityKind.User, Deleted: false } user || user.AccountId != accountId)
            return Done(call, Operation, (Outcome<Identity>)Outcome.NotFound(what));
        var refusal = await GuardAsync(call, Action, "user-management.user.read", resource, AuditEvents.User(accountId, iamId, user.Name), what, cancellationToken);
        if (refusal is not null)
            return Done(call, Operation, (Outcome<Identity>)refusal);
        if (await authority.IsOwnerAsync(new Caller(iamId, accountId, "user"), accountId, cancellationToken))
            return Done(call, Operation, (Outcome<Identity>)Outcome.Invalid($"{iamId} owns account {accountId} and cannot be removed from it", "iam_id"));
        var auditEvent = AuditEvents.For(call, Now, accountId, Action, AuditEvents.User(accountId, iamId, user.Name), 204, $"remove user {iamId}");
        var result = await store.DeleteIdentityAsync(iamId, call.Caller.IamId, Now, auditEvent,
            new CascadeEvents(call, Now, catalog, $"user {iamId} was removed"), cancellationToken);
        return Done(call, Operation, result.Status == WriteStatus.Ok ? Outcome.Ok(result.Value!) : Outcome.NotFound(what));
    }

    /// <summary>The account's users, for a caller who may read them; an empty list for anyone else.</summary>
    public async ValueTask<IReadOnlyList<Identity>> ListUsersAsync(CallContext call, string accountId, CancellationToken cancellationToken) =>
        await authority.AllowsAsync(call.Caller, "user-management.user.read", UserManagement(accountId), cancellationToken)
            ? await store.ListIdentitiesAsync(accountId, IdentityKind.User, cancellationToken)
            : [];

    private static Attributes UserManagement(string accountId) => new(AccountId: accountId, ServiceName: "user-management");
}

/// <summary>An account just created and its owner's first key value, shown once.</summary>
public sealed record NewAccountCreated(NewAccount Account, string OwnerKeySecret);
