using Microsoft.AspNetCore.Http.HttpResults;
using Tessera.Management;
using Tessera.Model;
using Tessera.Server.Errors;
using Tessera.Server.Http;

namespace Tessera.Server.Resources;

/// <summary><c>/v2/resource_groups</c>: IBM Resource Manager's groups. A group is deleted only when no active instance is in it.</summary>
internal static class ResourceGroupsApi
{
    public static IEndpointRouteBuilder MapResourceGroups(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/v2/resource_groups").RequireAuthorization();
        group.MapPost("", Create);
        group.MapGet("", List);
        group.MapGet("/{id}", Get);
        group.MapPatch("/{id}", Rename);
        group.MapDelete("/{id}", Delete);
        return routes;
    }

    private static async Task<Results<JsonHttpResult<ResourceGroupCreated>, IbmError>> Create(HttpContext context, RuleBook rules,
        CancellationToken cancellationToken)
    {
        using var body = await RequestBody.ReadAsync(context, cancellationToken, "name", "account_id");
        if (body.Error is not null)
            return body.Error;
        var call = context.Call();
        var name = body.RequiredText("name", 128);
        var accountId = body.OptionalText("account_id", 64) ?? call.Caller.AccountId;
        if (body.Problem is { } problem)
            return ErrorResults.BadRequest(problem);
        return (await rules.CreateResourceGroupAsync(call, accountId, name!, cancellationToken))
            .Map(group => ApiResults.Json(new ResourceGroupCreated(group.Id, group.Crn), StatusCodes.Status201Created));
    }

    private static async Task<JsonHttpResult<ResourceGroupList>> List(HttpContext context, RuleBook rules, CancellationToken cancellationToken)
    {
        var call = context.Call();
        var groups = await rules.ListResourceGroupsAsync(call, ApiResults.Query(context, "account_id") ?? call.Caller.AccountId, ApiResults.Query(context, "name"),
            context.Request.Query["default"].ToString() == "true", cancellationToken);
        return ApiResults.Json(new ResourceGroupList(groups.Select(ToView).ToArray()));
    }

    private static async Task<Results<JsonHttpResult<ResourceGroupView>, IbmError>> Get(string id, HttpContext context, RuleBook rules,
        CancellationToken cancellationToken) =>
        (await rules.GetResourceGroupAsync(context.Call(), id, cancellationToken)).Map(group => ApiResults.Json(ToView(group)));

    private static async Task<Results<JsonHttpResult<ResourceGroupView>, IbmError>> Rename(string id, HttpContext context, RuleBook rules,
        CancellationToken cancellationToken)
    {
        using var body = await RequestBody.ReadAsync(context, cancellationToken, "name", "state");
        if (body.Error is not null)
            return body.Error;
        var name = body.RequiredText("name", 128);
        if (body.Problem is { } problem)
            return ErrorResults.BadRequest(problem);
        return (await rules.RenameResourceGroupAsync(context.Call(), id, name!, cancellationToken)).Map(group => ApiResults.Json(ToView(group)));
    }

    private static async Task<Results<NoContent, IbmError>> Delete(string id, HttpContext context, RuleBook rules, CancellationToken cancellationToken) =>
        (await rules.DeleteResourceGroupAsync(context.Call(), id, cancellationToken)).Map(_ => TypedResults.NoContent());

    private static ResourceGroupView ToView(ResourceGroup group) => new(
        group.Id, group.Crn, group.AccountId, group.Name, "ACTIVE", group.IsDefault, Timestamps.Format(group.CreatedAt), Timestamps.Format(group.UpdatedAt));
}
