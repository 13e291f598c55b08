using System.Security.Claims;
using System.Text.Json.Nodes;
using Tessera.Decisions;
using Tessera.Model;
using Tessera.Server.Access;
using Tessera.Server.Audit;
using Tessera.Server.Errors;
using Tessera.Server.Http;
using Tessera.Server.Identity;
using Tessera.Storage;

namespace Tessera.Server.Resources;

/// <summary><c>/v2/resource_groups</c>: IBM Resource Manager's groups. A group is deleted only when no active instance is in it.</summary>
internal static class ResourceGroupsApi
{
    private const string Read = "resource-controller.group.retrieve";

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

    public static Attributes ResourceOf(string accountId, string? groupId) =>
        new(AccountId: accountId, ServiceName: "resource-controller", ResourceType: groupId is null ? null : "resource-group", Resource: groupId);

    private static async Task<IResult> Create(HttpContext context, ClaimsPrincipal user, ITesseraStore store, AccessAuthority authority, TimeProvider time,
        CancellationToken cancellationToken)
    {
        using var body = await RequestBody.ReadAsync(context, cancellationToken, "name", "account_id");
        if (body.Error is not null)
            return body.Error;
        var caller = Caller.From(user);
        var name = body.RequiredText("name", 128);
        var accountId = body.OptionalText("account_id", 64) ?? caller.AccountId;
        if (body.Problem is { } problem)
            return ErrorResults.BadRequest(problem);

        var group = new ResourceGroup(Ids.NewHex32(), accountId, name!, IsDefault: false, time.GetUtcNow());
        if (!await authority.AllowsAsync(caller, "resource-controller.group.create", ResourceOf(accountId, null), cancellationToken))
        {
            return await Refusals.RecordAsync(context, caller, store, accountId, "resource-controller.group.create", AuditEvents.ResourceGroup(group),
                ApiResults.Forbidden($"You are not allowed to create resource groups in account {accountId}."), cancellationToken);
        }
        var auditEvent = AuditEvents.For(context, caller, accountId, "resource-controller.group.create", AuditEvents.ResourceGroup(group),
            StatusCodes.Status201Created, $"create resource group {group.Id}", new JsonObject { ["name"] = name });
        await store.CreateResourceGroupAsync(group, auditEvent, cancellationToken);
        return ApiResults.Json(new ResourceGroupCreated(group.Id, group.Crn), StatusCodes.Status201Created);
    }

    private static async Task<IResult> List(HttpContext context, ClaimsPrincipal user, ITesseraStore store, AccessAuthority authority,
        CancellationToken cancellationToken)
    {
        var caller = Caller.From(user);
        var query = context.Request.Query;
        var accountId = query["account_id"].ToString() is { Length: > 0 } given ? given : caller.AccountId;
        var name = query["name"].ToString();
        var onlyDefault = query["default"].ToString() == "true";
        var visible = new List<ResourceGroupView>();
        foreach (var group in await store.ListResourceGroupsAsync(accountId, cancellationToken))
        {
            if ((name.Length == 0 || group.Name == name) && (!onlyDefault || group.IsDefault)
                && await authority.AllowsAsync(caller, Read, ResourceOf(accountId, group.Id), cancellationToken))
            {
                visible.Add(ToView(group));
            }
        }
        return ApiResults.Json(new ResourceGroupList(visible));
    }

    private static async Task<IResult> Get(string id, HttpContext context, ClaimsPrincipal user, ITesseraStore store, AccessAuthority authority,
        CancellationToken cancellationToken)
    {
        var (group, refusal) = await FindAsync(id, Read, context, Caller.From(user), store, authority, cancellationToken);
        return group is null ? refusal! : ApiResults.Json(ToView(group));
    }

    private static async Task<IResult> Rename(string id, HttpContext context, ClaimsPrincipal user, ITesseraStore store, AccessAuthority authority,
        TimeProvider time, CancellationToken cancellationToken)
    {
        var caller = Caller.From(user);
        var (group, refusal) = await FindAsync(id, "resource-controller.group.update", context, caller, store, authority, cancellationToken);
        if (group is null)
            return refusal!;
        using var body = await RequestBody.ReadAsync(context, cancellationToken, "name", "state");
        if (body.Error is not null)
            return body.Error;
        var name = body.RequiredText("name", 128);
        if (body.Problem is { } problem)
            return ErrorResults.BadRequest(problem);
        var auditEvent = AuditEvents.For(context, caller, group.AccountId, "resource-controller.group.update", AuditEvents.ResourceGroup(group),
            StatusCodes.Status200OK, $"rename resource group {id}", new JsonObject { ["name"] = name });
        var result = await store.RenameResourceGroupAsync(id, name!, time.GetUtcNow(), auditEvent, cancellationToken);
        return result.Status == WriteStatus.Ok ? ApiResults.Json(ToView(result.Value!)) : NotFound(id);
    }

    private static async Task<IResult> Delete(string id, HttpContext context, ClaimsPrincipal user, ITesseraStore store, AccessAuthority authority,
        TimeProvider time, CancellationToken cancellationToken)
    {
        var caller = Caller.From(user);
        var (group, refusal) = await FindAsync(id, "resource-controller.group.delete", context, caller, store, authority, cancellationToken);
        if (group is null)
            return refusal!;
        var auditEvent = AuditEvents.For(context, caller, group.AccountId, "resource-controller.group.delete", AuditEvents.ResourceGroup(group),
            StatusCodes.Status204NoContent, $"delete resource group {id}");
        var result = await store.DeleteResourceGroupAsync(id, time.GetUtcNow(), auditEvent, cancellationToken);
        return result.Status switch
        {
            WriteStatus.Ok => TypedResults.NoContent(),
            WriteStatus.NotEmpty => ErrorResults.Create(StatusCodes.Status409Conflict, Tessera.Errors.ErrorCodes.NotEmpty, group.IsDefault
                ? $"Resource group {id} is the account's default group and cannot be deleted."
                : $"Resource group {id} still holds service instances; delete them first."),
            _ => NotFound(id),
        };
    }

    private static async ValueTask<(ResourceGroup? Group, IResult? Refusal)> FindAsync(string id, string action, HttpContext context, Caller caller,
        ITesseraStore store, AccessAuthority authority, CancellationToken cancellationToken)
    {
        if (id.Length > 64 || await store.GetResourceGroupAsync(id, cancellationToken) is not { Deleted: false } group)
            return (null, NotFound(id));
        var refusal = await AccessGuard.CheckAsync(context, caller, store, authority, action, Read, ResourceOf(group.AccountId, id),
            AuditEvents.ResourceGroup(group), $"Resource group {id}", cancellationToken);
        return (refusal is null ? group : null, refusal);
    }

    private static IResult NotFound(string id) => ApiResults.NotFound($"Resource group {id}");

    private static ResourceGroupView ToView(ResourceGroup group) => new(
        group.Id, group.Crn, group.AccountId, group.Name, "ACTIVE", group.IsDefault, Timestamps.Format(group.CreatedAt), Timestamps.Format(group.UpdatedAt));
}

internal sealed record ResourceGroupCreated(string Id, string Crn);

internal sealed record ResourceGroupView(string Id, string Crn, string AccountId, string Name, string State, bool Default, string CreatedAt, string UpdatedAt);

internal sealed record ResourceGroupList(IReadOnlyList<ResourceGroupView> Resources);
