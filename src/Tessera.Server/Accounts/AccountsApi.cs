using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Http.HttpResults;
using Tessera.Management;
using Tessera.Server.Errors;
using Tessera.Server.Http;

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
        group.MapGet("/{account_id}", GetAccount);
        group.MapPost("/{account_id}/users", AddUser);
        group.MapGet("/{account_id}/users", ListUsers);
        group.MapDelete("/{account_id}/users/{iam_id}", RemoveUser);
        return routes;
    }

    private static async Task<Results<JsonHttpResult<AccountCreated>, IbmError>> CreateAccount(HttpContext context, RuleBook rules,
        CancellationToken cancellationToken)
    {
        using var body = await RequestBody.ReadAsync(context, cancellationToken, "name", "owner_email");
        if (body.Error is not null)
            return body.Error;
        var name = body.RequiredText("name", MaxNameLength);
        var ownerEmail = body.OptionalText("owner_email", MaxNameLength);
        if (body.Problem is { } problem)
            return ErrorResults.BadRequest(problem);
        var outcome = await rules.CreateAccountAsync(context.Call(), name!, ownerEmail, cancellationToken);
        return outcome.Map(created =>
        {
            var account = created.Account;
            return ApiResults.Json(new AccountCreated(account.Account.Id, account.Account.Name, account.Owner.IamId, account.DefaultGroup.Id,
                new CreatedApiKey(account.OwnerKey.Id, created.OwnerKeySecret)), StatusCodes.Status201Created);
        });
    }

    private static async Task<Results<JsonHttpResult<AccountView>, IbmError>> GetAccount([FromRoute(Name = "account_id")] string accountId, HttpContext context, RuleBook rules,
        CancellationToken cancellationToken) =>
        (await rules.GetAccountAsync(context.Call(), accountId, cancellationToken))
            .Map(account => ApiResults.Json(new AccountView(account.Id, account.Name, account.OwnerIamId, Timestamps.Format(account.CreatedAt))));

    private static async Task<Results<JsonHttpResult<UserView>, IbmError>> AddUser([FromRoute(Name = "account_id")] string accountId, HttpContext context, RuleBook rules,
        CancellationToken cancellationToken)
    {
        using var body = await RequestBody.ReadAsync(context, cancellationToken, "email");
        if (body.Error is not null)
            return body.Error;
        var email = body.RequiredText("email", MaxNameLength);
        if (body.Problem is { } problem)
            return ErrorResults.BadRequest(problem);
        return (await rules.AddUserAsync(context.Call(), accountId, email!, cancellationToken)).Map(user => ApiResults.Json(ToView(user), StatusCodes.Status201Created));
    }

    private static async Task<Results<NoContent, IbmError>> RemoveUser([FromRoute(Name = "account_id")] string accountId, [FromRoute(Name = "iam_id")] string iamId, HttpContext context, RuleBook rules,
        CancellationToken cancellationToken) =>
        (await rules.RemoveUserAsync(context.Call(), accountId, iamId, cancellationToken)).Map(_ => TypedResults.NoContent());

    private static async Task<JsonHttpResult<UserList>> ListUsers([FromRoute(Name = "account_id")] string accountId, HttpContext context, RuleBook rules, CancellationToken cancellationToken)
    {
        var users = await rules.ListUsersAsync(context.Call(), accountId, cancellationToken);
        return ApiResults.Json(new UserList(users.Count, users.Select(ToView).ToArray()));
    }

    private static UserView ToView(Model.Identity identity) =>
        new(identity.IamId, identity.Name, identity.AccountId, "ACTIVE", Timestamps.Format(identity.CreatedAt));
}
