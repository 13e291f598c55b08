using System.Buffers.Text;
using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Tessera.Management;
using Tessera.Model;
using Tessera.Server.Errors;
using Tessera.Server.Http;
using Tessera.Storage;

namespace Tessera.Server.Resources;

/// <summary>
/// <c>/v2/resource_instances</c>: IBM Resource Controller's instances of catalog services. Deleting one marks it
/// <c>removed</c> and, in the same transaction, deletes every policy bound to it (R7).
/// </summary>
internal static class ResourceInstancesApi
{
    private const int MaxLimit = 100;

    public static IEndpointRouteBuilder MapResourceInstances(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/v2/resource_instances").RequireAuthorization();
        group.MapPost("", Create);
        group.MapGet("", List);
        group.MapGet("/{id}", Get);
        group.MapDelete("/{id}", Delete);
        return routes;
    }

    private static async Task<Results<JsonHttpResult<ResourceInstanceView>, IbmError>> Create(HttpContext context, RuleBook rules, ITesseraStore store,
        CancellationToken cancellationToken)
    {
        using var body = await RequestBody.ReadAsync(context, cancellationToken,
            "name", "target", "resource_group", "resource_plan_id", "tags", "allow_cleanup", "parameters");
        if (body.Error is not null)
            return body.Error;
        var name = body.RequiredText("name", 180);
        var region = body.RequiredText("target", 64);
        var groupId = body.RequiredText("resource_group", 64);
        var planId = body.RequiredText("resource_plan_id", 64);
        if (region is not null && !region.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-'))
            body.Reject($"target '{region}' must be a region such as 'global' or 'us-south'");
        if (body.Problem is { } problem)
            return ErrorResults.BadRequest(problem);
        var outcome = await rules.CreateInstanceAsync(context.Call(), name!, region!, groupId!, planId!, cancellationToken);
        if (!outcome.Succeeded)
            return outcome.Problem!.ToError(outcome.Kind);
        return ApiResults.Json(await ViewAsync(outcome.Value!, store, cancellationToken), StatusCodes.Status201Created);
    }

    private static async Task<Results<JsonHttpResult<ResourceInstanceView>, IbmError>> Get(string id, HttpContext context, RuleBook rules, ITesseraStore store,
        CancellationToken cancellationToken)
    {
        var outcome = await rules.GetInstanceAsync(context.Call(), Uri.UnescapeDataString(id), cancellationToken);
        if (!outcome.Succeeded)
            return outcome.Problem!.ToError(outcome.Kind);
        return ApiResults.Json(await ViewAsync(outcome.Value!, store, cancellationToken));
    }

    private static async Task<Results<JsonHttpResult<ResourceInstanceList>, IbmError>> List(HttpContext context, RuleBook rules, ITesseraStore store,
        CancellationToken cancellationToken)
    {
        var call = context.Call();
        var parameters = context.Request.Query;
        var (limit, limitError) = ApiResults.Limit(context, MaxLimit, MaxLimit);
        if (limitError is not null)
            return limitError;
        bool? removed = parameters["state"].ToString() switch
        {
            "" or "active" => false,
            "removed" => true,
            _ => null,
        };
        if (removed is null)
            return ApiResults.InvalidQuery("state", parameters["state"].ToString(), "'active' or 'removed'");
        (DateTimeOffset, string)? after = null;
        if (ApiResults.Query(context, "start") is { } start)
        {
            if (!TryDecodeStart(start, out var cursor))
                return ApiResults.InvalidQuery("start", start, "the 'start' of a previous page's next_url");
            after = cursor;
        }

        var query = new InstanceQuery
        {
            AccountId = ApiResults.Query(context, "account_id") ?? call.Caller.AccountId,
            Guid = ApiResults.Query(context, "guid"),
            Name = ApiResults.Query(context, "name"),
            ResourceGroupId = ApiResults.Query(context, "resource_group_id"),
            ServiceName = ApiResults.Query(context, "resource_id"),
            PlanId = ApiResults.Query(context, "resource_plan_id"),
            Removed = removed,
            Limit = limit,
            After = after,
        };
        var (visible, more) = await rules.ListInstancesAsync(call, query, cancellationToken);
        string? nextUrl = null;
        if (more)
        {
            var kept = string.Join('&', parameters.Where(p => p.Key != "start").Select(p => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(p.Value.ToString())}"));
            nextUrl = $"/v2/resource_instances?{(kept.Length == 0 ? string.Empty : kept + "&")}start={EncodeStart(visible[^1])}";
        }
        var views = new List<ResourceInstanceView>(visible.Count);
        foreach (var instance in visible)
            views.Add(await ViewAsync(instance, store, cancellationToken));
        return ApiResults.Json(new ResourceInstanceList(views.Count, nextUrl, views));
    }

    private static async Task<Results<NoContent, IbmError>> Delete(string id, HttpContext context, RuleBook rules, CancellationToken cancellationToken) =>
        (await rules.DeleteInstanceAsync(context.Call(), Uri.UnescapeDataString(id), cancellationToken)).Map(_ => TypedResults.NoContent());

    private static async ValueTask<ResourceInstanceView> ViewAsync(ServiceInstance instance, ITesseraStore store, CancellationToken cancellationToken) =>
        ToView(instance, await store.GetResourceGroupAsync(instance.ResourceGroupId, cancellationToken), instance.Removed ? "delete" : "create");

    private static ResourceInstanceView ToView(ServiceInstance instance, ResourceGroup? group, string operation) => new(
        instance.Crn, instance.Guid, instance.Crn, $"/v2/resource_instances/{instance.Guid}", instance.Name, instance.Region, instance.AccountId,
        instance.ResourceGroupId, group?.Crn ?? Crn.ForResourceGroup(instance.AccountId, instance.ResourceGroupId).ToString(), instance.PlanId,
        instance.ServiceName, instance.Removed ? "removed" : "active", "service_instance", Locked: false, AllowCleanup: false,
        Timestamps.Format(instance.CreatedAt), instance.CreatedBy, Timestamps.Format(instance.DeletedAt ?? instance.CreatedAt),
        Timestamps.Format(instance.DeletedAt), instance.DeletedBy,
        new LastOperation(operation, "succeeded", Async: false, $"Completed {operation} instance operation", Cancelable: false, Poll: false));

    private static string EncodeStart(ServiceInstance last) =>
        Base64Url.EncodeToString(Encoding.UTF8.GetBytes($"{Timestamps.Format(last.CreatedAt)}|{last.Guid}"));

    private static bool TryDecodeStart(string token, out (DateTimeOffset, string) cursor)
    {
        cursor = default;
        try
        {
            var parts = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(token)).Split('|');
            if (parts.Length != 2 || !DateTimeOffset.TryParse(parts[0], System.Globalization.CultureInfo.InvariantCulture,
                    System.Globalization.DateTimeStyles.AssumeUniversal, out var createdAt))
            {
                return false;
            }
            cursor = (createdAt, parts[1]);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
