using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Nodes;
using Tessera.Decisions;
using Tessera.Model;
using Tessera.Server.Access;
using Tessera.Server.Audit;
using Tessera.Server.Errors;
using Tessera.Server.Http;
using Tessera.Server.Identity;
using Tessera.Storage;

namespace Tessera.Server.Groups;

/// <summary>
/// <c>/v2/groups</c>: IBM's access groups and their members. Access policies granted to a group apply to its members;
/// deleting a group deletes those policies (soft, with events).
/// </summary>
internal static class AccessGroupsApi
{
    private const string Read = "iam-groups.groups.read";
    private const int MaxMembersPerRequest = 50;

    public static IEndpointRouteBuilder MapAccessGroups(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/v2/groups").RequireAuthorization();
        group.MapPost("", Create);
        group.MapGet("", List);
        group.MapGet("/{id}", Get);
        group.MapDelete("/{id}", Delete);
        group.MapPut("/{id}/members", AddMembers);
        group.MapGet("/{id}/members", ListMembers);
        group.MapDelete("/{id}/members/{iamId}", RemoveMember);
        return routes;
    }

    private static Attributes ResourceOf(string accountId, string? groupId) =>
        new(AccountId: accountId, ServiceName: "iam-groups", ResourceType: groupId is null ? null : "group", Resource: groupId);

    private static async Task<IResult> Create(HttpContext context, ClaimsPrincipal user, ITesseraStore store, AccessAuthority authority, TimeProvider time,
        CancellationToken cancellationToken)
    {
        var caller = Caller.From(user);
        var accountId = context.Request.Query["account_id"].ToString() is { Length: > 0 } given ? given : caller.AccountId;
        using var body = await RequestBody.ReadAsync(context, cancellationToken, "name", "description");
        if (body.Error is not null)
            return body.Error;
        var name = body.RequiredText("name", 100);
        var description = body.OptionalText("description", 250);
        if (body.Problem is { } problem)
            return ErrorResults.BadRequest(problem);

        var now = time.GetUtcNow();
        var group = new AccessGroup
        {
            Id = AccessGroup.NewId(), AccountId = accountId, Name = name!, Description = description,
            CreatedAt = now, CreatedById = caller.IamId, ModifiedAt = now, ModifiedById = caller.IamId,
        };
        var target = AuditEvents.AccessGroup(accountId, group.Id, group.Name);
        if (!await authority.AllowsAsync(caller, "iam-groups.groups.create", ResourceOf(accountId, null), cancellationToken))
        {
            return await Refusals.RecordAsync(context, caller, store, accountId, "iam-groups.group.create", target,
                ApiResults.Forbidden($"You are not allowed to create access groups in account {accountId}."), cancellationToken);
        }
        var auditEvent = AuditEvents.For(context, caller, accountId, "iam-groups.group.create", target, StatusCodes.Status201Created,
            $"create access group {group.Id}", new JsonObject { ["name"] = name, ["description"] = description });
        var result = await store.CreateAccessGroupAsync(group, auditEvent, cancellationToken);
        return result.Status == WriteStatus.Ok
            ? ApiResults.Json(ToView(result.Value!, context), StatusCodes.Status201Created)
            : ApiResults.Conflict($"Account {accountId} already has an access group named '{name}'.");
    }

    private static async Task<IResult> List(HttpContext context, ClaimsPrincipal user, ITesseraStore store, AccessAuthority authority,
        CancellationToken cancellationToken)
    {
        var caller = Caller.From(user);
        var accountId = context.Request.Query["account_id"].ToString();
        if (accountId.Length == 0)
            return ApiResults.MissingQuery("account_id");
        var visible = new List<AccessGroupView>();
        foreach (var group in await store.ListAccessGroupsAsync(accountId, cancellationToken))
        {
            if (await authority.AllowsAsync(caller, Read, ResourceOf(accountId, group.Id), cancellationToken))
                visible.Add(ToView(group, context));
        }
        return ApiResults.Json(new AccessGroupList(visible.Count, 0, visible.Count, visible));
    }

    private static async Task<IResult> Get(string id, HttpContext context, ClaimsPrincipal user, ITesseraStore store, AccessAuthority authority,
        CancellationToken cancellationToken)
    {
        var (group, refusal) = await FindAsync(id, Read, context, Caller.From(user), store, authority, cancellationToken);
        return group is null ? refusal! : ApiResults.Json(ToView(group, context));
    }

    private static async Task<IResult> Delete(string id, HttpContext context, ClaimsPrincipal user, ITesseraStore store, Tessera.Catalog.ServiceCatalog catalog,
        AccessAuthority authority, TimeProvider time, CancellationToken cancellationToken)
    {
        var caller = Caller.From(user);
        var (group, refusal) = await FindAsync(id, "iam-groups.groups.delete", context, caller, store, authority, cancellationToken);
        if (group is null)
            return refusal!;
        var auditEvent = AuditEvents.For(context, caller, group.AccountId, "iam-groups.group.delete", AuditEvents.AccessGroup(group.AccountId, id, group.Name),
            StatusCodes.Status204NoContent, $"delete access group {id}");
        var result = await store.DeleteAccessGroupAsync(id, caller.IamId, time.GetUtcNow(), auditEvent,
            new CascadeEvents(context, caller, catalog, $"access group {id} was deleted"), cancellationToken);
        return result.Status == WriteStatus.Ok ? TypedResults.NoContent() : NotFound(id);
    }

    private static async Task<IResult> AddMembers(string id, HttpContext context, ClaimsPrincipal user, ITesseraStore store, AccessAuthority authority,
        TimeProvider time, CancellationToken cancellationToken)
    {
        var caller = Caller.From(user);
        var (group, refusal) = await FindAsync(id, "iam-groups.members.add", context, caller, store, authority, cancellationToken);
        if (group is null)
            return refusal!;
        using var body = await RequestBody.ReadAsync(context, cancellationToken, "members");
        if (body.Error is not null)
            return body.Error;
        var requested = new List<string>();
        if (body.Property("members") is not { ValueKind: JsonValueKind.Array } members || members.GetArrayLength() is 0 or > MaxMembersPerRequest)
        {
            body.Reject($"members must be an array of 1 to {MaxMembersPerRequest} objects with an 'iam_id'");
        }
        else
        {
            foreach (var member in members.EnumerateArray())
            {
                if (member.ValueKind == JsonValueKind.Object && member.TryGetProperty("iam_id", out var iamId) && iamId.ValueKind == JsonValueKind.String
                    && iamId.GetString() is { Length: > 0 and <= 1200 } value)
                {
                    requested.Add(value);
                }
                else
                {
                    body.Reject("each member must be an object with a string 'iam_id'");
                }
            }
        }
        if (body.Problem is { } problem)
            return ErrorResults.BadRequest(problem);

        // Only users and service IDs of the group's own account can be members; the rest are reported, not added.
        var now = time.GetUtcNow();
        var results = new List<MemberResult>();
        var toAdd = new List<GroupMembership>();
        foreach (var iamId in requested.Distinct(StringComparer.Ordinal))
        {
            var identity = await store.GetIdentityAsync(iamId, cancellationToken);
            if (identity is { Deleted: false, Kind: IdentityKind.User or IdentityKind.ServiceId } && identity.AccountId == group.AccountId)
            {
                toAdd.Add(new GroupMembership(id, iamId, group.AccountId, now, caller.IamId));
                results.Add(new MemberResult(iamId, MemberType(identity), StatusCodes.Status200OK, Timestamps.Format(now), caller.IamId));
            }
            else
            {
                results.Add(new MemberResult(iamId, null, StatusCodes.Status404NotFound, null, null));
            }
        }
        await store.AddMembersAsync(toAdd, member => AuditEvents.For(context, caller, group.AccountId, "iam-groups.member.add",
            AuditEvents.AccessGroup(group.AccountId, id, group.Name), StatusCodes.Status200OK, $"add member {member.IamId} to access group {id}",
            new JsonObject { ["iam_id"] = member.IamId }), cancellationToken);
        return ApiResults.Json(new AddMembersResult(results), StatusCodes.Status207MultiStatus);
    }

    private static async Task<IResult> ListMembers(string id, HttpContext context, ClaimsPrincipal user, ITesseraStore store, AccessAuthority authority,
        CancellationToken cancellationToken)
    {
        var (group, refusal) = await FindAsync(id, Read, context, Caller.From(user), store, authority, cancellationToken);
        if (group is null)
            return refusal!;
        var members = await store.ListMembersAsync(id, cancellationToken);
        var views = new List<MemberResult>(members.Count);
        foreach (var member in members)
        {
            var identity = await store.GetIdentityAsync(member.IamId, cancellationToken);
            views.Add(new MemberResult(member.IamId, identity is null ? null : MemberType(identity), null, Timestamps.Format(member.AddedAt), member.AddedBy));
        }
        return ApiResults.Json(new GroupMemberList(views.Count, views));
    }

    private static async Task<IResult> RemoveMember(string id, string iamId, HttpContext context, ClaimsPrincipal user, ITesseraStore store,
        AccessAuthority authority, CancellationToken cancellationToken)
    {
        var caller = Caller.From(user);
        var (group, refusal) = await FindAsync(id, "iam-groups.members.remove", context, caller, store, authority, cancellationToken);
        if (group is null)
            return refusal!;
        var auditEvent = AuditEvents.For(context, caller, group.AccountId, "iam-groups.member.remove", AuditEvents.AccessGroup(group.AccountId, id, group.Name),
            StatusCodes.Status204NoContent, $"remove member {iamId} from access group {id}", new JsonObject { ["iam_id"] = iamId });
        var result = await store.RemoveMemberAsync(id, iamId, auditEvent, cancellationToken);
        return result.Status == WriteStatus.Ok ? TypedResults.NoContent() : ApiResults.NotFound($"Member {iamId} of access group {id}");
    }

    private static async ValueTask<(AccessGroup? Group, IResult? Refusal)> FindAsync(string id, string action, HttpContext context, Caller caller,
        ITesseraStore store, AccessAuthority authority, CancellationToken cancellationToken)
    {
        if (id.Length > 80 || await store.GetAccessGroupAsync(id, cancellationToken) is not { Deleted: false } group)
            return (null, NotFound(id));
        var refusal = await AccessGuard.CheckAsync(context, caller, store, authority, action, Read, ResourceOf(group.AccountId, id),
            AuditEvents.AccessGroup(group.AccountId, id, group.Name), $"Access group {id}", cancellationToken);
        return (refusal is null ? group : null, refusal);
    }

    private static string MemberType(Model.Identity identity) => identity.Kind == IdentityKind.ServiceId ? "service" : "user";

    private static IResult NotFound(string id) => ApiResults.NotFound($"Access group {id}");

    private static AccessGroupView ToView(AccessGroup group, HttpContext context) => new(
        group.Id, group.Name, group.Description, group.AccountId, Timestamps.Format(group.CreatedAt), group.CreatedById,
        Timestamps.Format(group.ModifiedAt), group.ModifiedById, $"{ApiResults.BaseUrl(context)}/v2/groups/{group.Id}", IsFederated: false);
}

internal sealed record AccessGroupView(
    string Id, string Name, string? Description, string AccountId, string CreatedAt, string CreatedById, string LastModifiedAt,
    string LastModifiedById, string Href, bool IsFederated);

internal sealed record AccessGroupList(int Limit, int Offset, int TotalCount, IReadOnlyList<AccessGroupView> Groups);

internal sealed record MemberResult(string IamId, string? Type, int? StatusCode, string? CreatedAt, string? CreatedById);

internal sealed record AddMembersResult(IReadOnlyList<MemberResult> Members);

internal sealed record GroupMemberList(int TotalCount, IReadOnlyList<MemberResult> Members);
