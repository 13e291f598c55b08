using Microsoft.AspNetCore.Mvc;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Tessera.Management;
using Tessera.Model;
using Tessera.Server.Errors;
using Tessera.Server.Http;

namespace Tessera.Server.Groups;

/// <summary>
/// <c>/v2/groups</c>: IBM's access groups and their members. Access policies granted to a group apply to its members;
/// deleting a group deletes those policies (soft, with events).
/// </summary>
internal static class AccessGroupsApi
{
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
        group.MapDelete("/{id}/members/{iam_id}", RemoveMember);
        return routes;
    }

    private static async Task<Results<JsonHttpResult<AccessGroupView>, IbmError>> Create(HttpContext context, RuleBook rules, CancellationToken cancellationToken)
    {
        var call = context.Call();
        using var body = await RequestBody.ReadAsync(context, cancellationToken, "name", "description");
        if (body.Error is not null)
            return body.Error;
        var name = body.RequiredText("name", 100);
        var description = body.OptionalText("description", 250);
        if (body.Problem is { } problem)
            return ErrorResults.BadRequest(problem);
        var outcome = await rules.CreateAccessGroupAsync(call, ApiResults.Query(context, "account_id") ?? call.Caller.AccountId, name!, description,
            cancellationToken);
        return outcome.Map(group => ApiResults.Json(ToView(group, context), StatusCodes.Status201Created));
    }

    private static async Task<Results<JsonHttpResult<AccessGroupList>, IbmError>> List(HttpContext context, RuleBook rules, CancellationToken cancellationToken)
    {
        if (ApiResults.Query(context, "account_id") is not { } accountId)
            return ApiResults.MissingQuery("account_id");
        var visible = (await rules.ListAccessGroupsAsync(context.Call(), accountId, cancellationToken)).Select(g => ToView(g, context)).ToArray();
        return ApiResults.Json(new AccessGroupList(visible.Length, 0, visible.Length, visible));
    }

    private static async Task<Results<JsonHttpResult<AccessGroupView>, IbmError>> Get(string id, HttpContext context, RuleBook rules,
        CancellationToken cancellationToken) =>
        (await rules.GetAccessGroupAsync(context.Call(), id, cancellationToken)).Map(group => ApiResults.Json(ToView(group, context)));

    private static async Task<Results<NoContent, IbmError>> Delete(string id, HttpContext context, RuleBook rules, CancellationToken cancellationToken) =>
        (await rules.DeleteAccessGroupAsync(context.Call(), id, cancellationToken)).Map(_ => TypedResults.NoContent());

    private static async Task<Results<JsonHttpResult<AddMembersResult>, IbmError>> AddMembers(string id, HttpContext context, RuleBook rules,
        CancellationToken cancellationToken)
    {
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

        // Only users and service IDs of the group's own account become members; the rest are reported, not added.
        var outcome = await rules.AddMembersAsync(context.Call(), id, requested, cancellationToken);
        return outcome.Map(added => ApiResults.Json(new AddMembersResult(added.Select(m => m is { Identity: { } identity, Membership: { } membership }
                ? new MemberResult(m.IamId, MemberType(identity), StatusCodes.Status200OK, Timestamps.Format(membership.AddedAt), membership.AddedBy)
                : new MemberResult(m.IamId, null, StatusCodes.Status404NotFound, null, null)).ToArray()),
            StatusCodes.Status207MultiStatus));
    }

    private static async Task<Results<JsonHttpResult<GroupMemberList>, IbmError>> ListMembers(string id, HttpContext context, RuleBook rules,
        CancellationToken cancellationToken) =>
        (await rules.ListMembersAsync(context.Call(), id, cancellationToken)).Map(members => ApiResults.Json(new GroupMemberList(members.Count,
            members.Select(m => new MemberResult(m.Membership.IamId, m.Identity is null ? null : MemberType(m.Identity), null,
                Timestamps.Format(m.Membership.AddedAt), m.Membership.AddedBy)).ToArray())));

    private static async Task<Results<NoContent, IbmError>> RemoveMember(string id, [FromRoute(Name = "iam_id")] string iamId, HttpContext context, RuleBook rules,
        CancellationToken cancellationToken) =>
        (await rules.RemoveMemberAsync(context.Call(), id, iamId, cancellationToken)).Map(_ => TypedResults.NoContent());

    private static string MemberType(Model.Identity identity) => identity.Kind == IdentityKind.ServiceId ? "service" : "user";

    private static AccessGroupView ToView(AccessGroup group, HttpContext context) => new(
        group.Id, group.Name, group.Description, group.AccountId, Timestamps.Format(group.CreatedAt), group.CreatedById,
        Timestamps.Format(group.ModifiedAt), group.ModifiedById, $"{ApiResults.BaseUrl(context)}/v2/groups/{group.Id}", IsFederated: false);
}
