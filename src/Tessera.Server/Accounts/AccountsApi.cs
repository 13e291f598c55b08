using System.Security.Claims;
using System.Text.Json.Nodes;
using Tessera.Audit;
using Tessera.Model;
using Tessera.Security;
using Tessera.Server.Access;
using Tessera.Server.Audit;
using Tessera.Server.Errors;
using Tessera.Server.Http;
using Tessera.Server.Identity;
using Tessera.Storage;

namespace Tessera.Server.Accounts;

/// <summary>
/// <c>/v2/accounts</c>: the operator creates accounts (each with its owner, <c>Default</c> resource group and the owner's
/// first API key, shown once); owners and user-management Administrators add users.
/// </summary>
internal static class AccountsApi
{
    private const int MaxNameLength = 256;

    public static IEndpointRouteBuilder MapAccounts(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/v2/accounts").RequireAuthorization();
        group.MapPost("", CreateAccount);
        group.MapGet("/{accountId}", GetAccount);
        group.MapPost("/{accountId}/users", AddUser);
        group.MapGet("/{accountId}/users", ListUsers);
        return routes;
    }

    private static async Task<IResult> CreateAccount(HttpContext context, ClaimsPrincipal user, ITesseraStore store, AccessAuthority authority,
        TimeProvider time, CancellationToken cancellationToken)
    {
        var caller = Caller.From(user);
        if (await store.GetAccountAsync(caller.AccountId, cancellationToken) is not { IsOperator: true }
            || !await authority.IsOwnerAsync(caller, caller.AccountId, cancellationToken))
        {
            return await Refusals.RecordAsync(context, caller, store, caller.AccountId, "iam-identity.account.create",
                new AuditTarget("crn:v1:bluemix:public:iam-identity:::::account:new", "new account", "iam-identity/account"),
                ApiResults.Forbidden("Only the operator account's owner creates accounts."), cancellationToken);
        }

        using var body = await RequestBody.ReadAsync(context, cancellationToken, "name", "owner_email");
        if (body.Error is not null)
            return body.Error;
        var name = body.RequiredText("name", MaxNameLength);
        var ownerEmail = body.OptionalText("owner_email", MaxNameLength) ?? "owner";
        if (body.Problem is { } problem)
            return ErrorResults.BadRequest(problem);

        var secret = ApiKeySecrets.NewSecret();
        var initiator = new AuditInitiator(caller.IamId, caller.IamId, caller.InitiatorTypeUri, "token");
        var (account, auditEvent) = NewAccount.Create(name!, ownerEmail, secret, initiator, time.GetUtcNow());
        await store.CreateAccountAsync(account, auditEvent, cancellationToken);
        return ApiResults.Json(new AccountCreated(account.Account.Id, account.Account.Name, account.Owner.IamId, account.DefaultGroup.Id,
            new CreatedApiKey(account.OwnerKey.Id, secret)), StatusCodes.Status201Created);
    }

    private static async Task<IResult> GetAccount(string accountId, ClaimsPrincipal user, ITesseraStore store, CancellationToken cancellationToken)
    {
        // Every identity of an account sees the account; no one else learns whether it exists.
        var caller = Caller.From(user);
        var account = caller.AccountId == accountId ? await store.GetAccountAsync(accountId, cancellationToken) : null;
        return account is null
            ? ApiResults.NotFound($"Account {accountId}")
            : ApiResults.Json(new AccountView(account.Id, account.Name, account.OwnerIamId, Timestamps.Format(account.CreatedAt)));
    }

    private static async Task<IResult> AddUser(string accountId, HttpContext context, ClaimsPrincipal user, ITesseraStore store, AccessAuthority authority,
        TimeProvider time, CancellationToken cancellationToken)
    {
        var caller = Caller.From(user);
        if (!await authority.AllowsAsync(caller, "user-management.user.create", UserManagement(accountId), cancellationToken))
        {
            return await Refusals.RecordAsync(context, caller, store, accountId, "user-management.user.create",
                AuditEvents.User(accountId, "new", "new user"), ApiResults.Forbidden($"You are not allowed to add users to account {accountId}."), cancellationToken);
        }
        using var body = await RequestBody.ReadAsync(context, cancellationToken, "email");
        if (body.Error is not null)
            return body.Error;
        var email = body.RequiredText("email", MaxNameLength);
        if (body.Problem is { } problem)
            return ErrorResults.BadRequest(problem);
        if (!email!.Contains('@', StringComparison.Ordinal))
            return ErrorResults.BadRequest($"email '{email}' is not an email address");

        var now = time.GetUtcNow();
        var identity = new Model.Identity("IBMid-" + Ids.NewHex32()[..10].ToUpperInvariant(), accountId, IdentityKind.User, email, now);
        var auditEvent = AuditEvents.For(context, caller, accountId, "user-management.user.create", AuditEvents.User(accountId, identity.IamId, email),
            StatusCodes.Status201Created, $"add user {identity.IamId}", new JsonObject { ["email"] = email });
        var result = await store.CreateIdentityAsync(identity, auditEvent, cancellationToken);
        return result.Status == WriteStatus.Ok
            ? ApiResults.Json(ToView(result.Value!), StatusCodes.Status201Created)
            : ApiResults.Conflict($"An identity {identity.IamId} already exists.");
    }

    private static async Task<IResult> ListUsers(string accountId, ClaimsPrincipal user, ITesseraStore store, AccessAuthority authority,
        CancellationToken cancellationToken)
    {
        var caller = Caller.From(user);
        if (!await authority.AllowsAsync(caller, "user-management.user.read", UserManagement(accountId), cancellationToken))
            return ApiResults.Json(new UserList(0, []));
        var users = await store.ListIdentitiesAsync(accountId, IdentityKind.User, cancellationToken);
        return ApiResults.Json(new UserList(users.Count, users.Select(ToView).ToArray()));
    }

    private static Tessera.Decisions.Attributes UserManagement(string accountId) => new(AccountId: accountId, ServiceName: "user-management");

    private static UserView ToView(Model.Identity identity) =>
        new(identity.IamId, identity.Name, identity.AccountId, "ACTIVE", Timestamps.Format(identity.CreatedAt));
}

internal sealed record CreatedApiKey(string Id, string Apikey);

internal sealed record AccountCreated(string AccountId, string Name, string OwnerIamId, string DefaultResourceGroupId, CreatedApiKey Apikey);

internal sealed record AccountView(string Id, string Name, string OwnerIamId, string CreatedAt);

internal sealed record UserView(string IamId, string Email, string AccountId, string State, string CreatedAt);

internal sealed record UserList(int TotalResults, IReadOnlyList<UserView> Resources);
