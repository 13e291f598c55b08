using System.Buffers.Text;
using System.Security.Claims;
using System.Text;
using System.Text.Json.Nodes;
using Tessera.Catalog;
using Tessera.Decisions;
using Tessera.Model;
using Tessera.Server.Access;
using Tessera.Server.Audit;
using Tessera.Server.Errors;
using Tessera.Server.Http;
using Tessera.Server.Identity;
using Tessera.Storage;

namespace Tessera.Server.Resources;

/// <summary>
/// <c>/v2/resource_instances</c>: IBM Resource Controller's instances of catalog services. Deleting one marks it
/// <c>removed</c> and, in the same transaction, deletes every policy bound to it (R7).
/// </summary>
internal static class ResourceInstancesApi
{
    private const string Read = "resource-controller.instance.retrieve";
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

    private static Attributes ResourceOf(ServiceInstance instance) =>
        new(instance.AccountId, instance.ServiceName, instance.Guid, instance.ResourceGroupId, Region: instance.Region);

    private static async Task<IResult> Create(HttpContext context, ClaimsPrincipal user, ITesseraStore store, ServiceCatalog catalog,
        AccessAuthority authority, TimeProvider time, CancellationToken cancellationToken)
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

        var service = catalog.Services.FirstOrDefault(s => s.Plans.Any(p => p.Id == planId));
        if (service is null)
            return ErrorResults.BadRequest($"resource_plan_id '{planId}' is not a plan of any service in the catalog (see GET /v1/catalog/services)");

        // A group the caller may not see is answered like a missing one.
        var caller = Caller.From(user);
        var group = await store.GetResourceGroupAsync(groupId!, cancellationToken);
        if (group is null || group.Deleted
            || !await authority.AllowsAsync(caller, "resource-controller.group.retrieve", ResourceGroupsApi.ResourceOf(group.AccountId, group.Id), cancellationToken))
        {
            return ErrorResults.BadRequest($"resource_group '{groupId}' is not a resource group you can see");
        }

        var instance = new ServiceInstance
        {
            Guid = Ids.NewUuid(),
            AccountId = group.AccountId,
            ServiceName = service.Name,
            Region = region!,
            Name = name!,
            ResourceGroupId = group.Id,
            PlanId = planId!,
            CreatedAt = time.GetUtcNow(),
            CreatedBy = caller.IamId,
        };
        var resource = new Attributes(group.AccountId, service.Name, ResourceGroupId: group.Id, Region: region);
        if (!await authority.AllowsAsync(caller, "resource-controller.instance.create", resource, cancellationToken))
        {
            return await Refusals.RecordAsync(context, caller, store, group.AccountId, "resource-controller.instance.create", AuditEvents.Instance(instance),
                ApiResults.Forbidden($"You are not allowed to create {service.Name} instances in resource group {group.Id}."), cancellationToken);
        }
        var auditEvent = AuditEvents.For(context, caller, group.AccountId, "resource-controller.instance.create", AuditEvents.Instance(instance),
            StatusCodes.Status201Created, $"create instance {instance.Guid}",
            new JsonObject { ["name"] = name, ["target"] = region, ["resource_group"] = group.Id, ["resource_plan_id"] = planId });
        var result = await store.CreateInstanceAsync(instance, auditEvent, cancellationToken);
        return result.Status == WriteStatus.Ok
            ? ApiResults.Json(ToView(result.Value!, group, "create"), StatusCodes.Status201Created)
            : ErrorResults.BadRequest($"resource_group '{groupId}' is not a resource group you can see");
    }

    private static async Task<IResult> Get(string id, HttpContext context, ClaimsPrincipal user, ITesseraStore store, AccessAuthority authority,
        CancellationToken cancellationToken)
    {
        var (instance, refusal) = await FindAsync(id, Read, context, Caller.From(user), store, authority, cancellationToken);
        return instance is null ? refusal! : ApiResults.Json(await ViewAsync(instance, store, cancellationToken));
    }

    private static async Task<IResult> List(HttpContext context, ClaimsPrincipal user, ITesseraStore store, AccessAuthority authority,
        CancellationToken cancellationToken)
    {
        var caller = Caller.From(user);
        var parameters = context.Request.Query;
        var (limit, limitError) = ApiResults.Limit(context, MaxLimit, MaxLimit);
        if (limitError is not null)
            return limitError;
        bool? removed = parameters["state"].ToString() switch
        {
            "" or "active" => false,
            "removed" => true,
            var other => null,
        };
        if (removed is null)
            return ApiResults.InvalidQuery("state", parameters["state"].ToString(), "'active' or 'removed'");
        (DateTimeOffset, string)? after = null;
        if (parameters["start"].ToString() is { Length: > 0 } start)
        {
            if (!TryDecodeStart(start, out var cursor))
                return ApiResults.InvalidQuery("start", start, "the 'start' of a previous page's next_url");
            after = cursor;
        }

        string? Filter(string name) => parameters[name].ToString() is { Length: > 0 } value ? value : null;
        var query = new InstanceQuery
        {
            AccountId = Filter("account_id") ?? caller.AccountId,
            Guid = Filter("guid"),
            Name = Filter("name"),
            ResourceGroupId = Filter("resource_group_id"),
            ServiceName = Filter("resource_id"),
            PlanId = Filter("resource_plan_id"),
            Removed = removed,
            Limit = limit,
            After = after,
        };
        // Only what the caller may see; pages are filled from later rows rather than cut short.
        var visible = new List<ServiceInstance>(limit);
        var more = false;
        while (true)
        {
            var page = await store.ListInstancesAsync(query, cancellationToken);
            foreach (var instance in page)
            {
                if (!await authority.AllowsAsync(caller, Read, ResourceOf(instance), cancellationToken))
                    continue;
                if (visible.Count == limit)
                {
                    more = true;
                    break;
                }
                visible.Add(instance);
            }
            if (more || page.Count < query.Limit)
                break;
            query = query with { After = (page[^1].CreatedAt, page[^1].Guid) };
        }

        string? nextUrl = null;
        if (more)
        {
            var last = visible[^1];
            var kept = string.Join('&', parameters.Where(p => p.Key != "start").Select(p => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(p.Value.ToString())}"));
            nextUrl = $"/v2/resource_instances?{(kept.Length == 0 ? string.Empty : kept + "&")}start={EncodeStart(last)}";
        }
        var views = new List<ResourceInstanceView>(visible.Count);
        foreach (var instance in visible)
            views.Add(await ViewAsync(instance, store, cancellationToken));
        return ApiResults.Json(new ResourceInstanceList(views.Count, nextUrl, views));
    }

    private static async Task<IResult> Delete(string id, HttpContext context, ClaimsPrincipal user, ITesseraStore store, ServiceCatalog catalog,
        AccessAuthority authority, TimeProvider time, CancellationToken cancellationToken)
    {
        var caller = Caller.From(user);
        var (instance, refusal) = await FindAsync(id, "resource-controller.instance.delete", context, caller, store, authority, cancellationToken);
        if (instance is null)
            return refusal!;
        if (instance.Removed)
            return ApiResults.NotFound($"Instance {id}");
        var auditEvent = AuditEvents.For(context, caller, instance.AccountId, "resource-controller.instance.delete", AuditEvents.Instance(instance),
            StatusCodes.Status204NoContent, $"delete instance {instance.Guid}");
        var result = await store.RemoveInstanceAsync(instance.Guid, caller.IamId, time.GetUtcNow(), auditEvent,
            new CascadeEvents(context, caller, catalog, $"instance {instance.Crn} was deleted"), cancellationToken);
        return result.Status == WriteStatus.Ok ? TypedResults.NoContent() : ApiResults.NotFound($"Instance {id}");
    }

    /// <summary>An instance by GUID or (URL-encoded) CRN, and the answer to give when the caller may not do the action.</summary>
    private static async ValueTask<(ServiceInstance? Instance, IResult? Refusal)> FindAsync(string id, string action, HttpContext context, Caller caller,
        ITesseraStore store, AccessAuthority authority, CancellationToken cancellationToken)
    {
        var guid = Uri.UnescapeDataString(id);
        if (guid.StartsWith("crn:", StringComparison.Ordinal))
            guid = Crn.TryParse(guid, out var crn, out _) ? crn.ServiceInstance : string.Empty;
        if (guid.Length is 0 or > 64 || await store.GetInstanceAsync(guid, cancellationToken) is not { } instance)
            return (null, ApiResults.NotFound($"Instance {id}"));
        var refusal = await AccessGuard.CheckAsync(context, caller, store, authority, action, Read, ResourceOf(instance), AuditEvents.Instance(instance),
            $"Instance {id}", cancellationToken);
        return (refusal is null ? instance : null, refusal);
    }

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

internal sealed record LastOperation(string Type, string State, bool Async, string Description, bool Cancelable, bool Poll);

internal sealed record ResourceInstanceView(
    string Id, string Guid, string Crn, string Url, string Name, string RegionId, string AccountId, string ResourceGroupId, string ResourceGroupCrn,
    string ResourcePlanId, string ResourceId, string State, string Type, bool Locked, bool AllowCleanup, string CreatedAt, string CreatedBy,
    string UpdatedAt, string? DeletedAt, string? DeletedBy, LastOperation LastOperation);

// IBM sends next_url: null on the last page; SDK pagers read it.
internal sealed record ResourceInstanceList(
    int RowsCount, [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.Never)] string? NextUrl,
    IReadOnlyList<ResourceInstanceView> Resources);
