using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Tessera.Management;
using Tessera.Model;
using Tessera.Server.Errors;
using Tessera.Server.Http;

namespace Tessera.Server.Identity;

/// <summary>
/// <c>/v1/serviceids</c>: IBM IAM Identity's service IDs, with <c>entity_tag</c> / If-Match and locking. Deleting one
/// deletes its API keys and the policies granted to it (R7), each with its event.
/// </summary>
internal static class ServiceIdsApi
{
    private const int MaxText = 256;

    public static IEndpointRouteBuilder MapServiceIds(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/v1/serviceids").RequireAuthorization();
        group.MapPost("", Create);
        group.MapGet("", List);
        group.MapGet("/{id}", Get);
        group.MapPut("/{id}", Update);
        group.MapDelete("/{id}", Delete);
        group.MapPost("/{id}/lock", (string id, HttpContext context, RuleBook rules, CancellationToken cancellationToken) =>
            SetLock(id, true, context, rules, cancellationToken));
        group.MapDelete("/{id}/lock", (string id, HttpContext context, RuleBook rules, CancellationToken cancellationToken) =>
            SetLock(id, false, context, rules, cancellationToken));
        return routes;
    }

    private static async Task<Results<JsonHttpResult<ServiceIdView>, IbmError>> Create(HttpContext context, RuleBook rules, CancellationToken cancellationToken)
    {
        using var body = await RequestBody.ReadAsync(context, cancellationToken, "account_id", "name", "description", "group_id", "unique_instance_crns", "apikey");
        if (body.Error is not null)
            return body.Error;
        var accountId = body.RequiredText("account_id", 64);
        var name = body.RequiredText("name", MaxText);
        var description = body.OptionalText("description", MaxText);
        if (body.Problem is { } problem)
            return ErrorResults.BadRequest(problem);
        var outcome = await rules.CreateServiceIdAsync(context.Call(), accountId!, name!, description, ApiResults.IsTrue(context.Request.Headers["Entity-Lock"]),
            cancellationToken);
        return outcome.Map(serviceId => ApiResults.Json(ToView(serviceId), StatusCodes.Status201Created));
    }

    private static async Task<Results<JsonHttpResult<ServiceIdList>, IbmError>> List(HttpContext context, RuleBook rules, CancellationToken cancellationToken)
    {
        if (ApiResults.Query(context, "account_id") is not { } accountId)
            return ApiResults.MissingQuery("account_id");
        var (pageSize, limitError) = ApiResults.Limit(context, 20, 100, "pagesize");
        if (limitError is not null)
            return limitError;
        var offset = 0;
        if (ApiResults.Query(context, "pagetoken") is { } offsetText
            && (!int.TryParse(offsetText, NumberStyles.None, CultureInfo.InvariantCulture, out offset) || offset < 0))
        {
            return ApiResults.InvalidQuery("pagetoken", offsetText, "a 'next' token from a previous page");
        }
        var visible = await rules.ListServiceIdsAsync(context.Call(), accountId, ApiResults.Query(context, "name"), cancellationToken);
        var page = visible.Skip(offset).Take(pageSize).Select(ToView).ToArray();
        var next = offset + pageSize < visible.Count ? (offset + pageSize).ToString(CultureInfo.InvariantCulture) : null;
        return ApiResults.Json(new ServiceIdList(offset, pageSize, next, page));
    }

    private static async Task<Results<JsonHttpResult<ServiceIdView>, IbmError>> Get(string id, HttpContext context, RuleBook rules,
        CancellationToken cancellationToken) =>
        (await rules.GetServiceIdAsync(context.Call(), id, cancellationToken)).Map(serviceId =>
        {
            var view = ToView(serviceId);
            return ApiResults.Json(context, view, view.EntityTag);
        });

    private static async Task<Results<JsonHttpResult<ServiceIdView>, IbmError>> Update(string id, HttpContext context, RuleBook rules,
        CancellationToken cancellationToken)
    {
        using var body = await RequestBody.ReadAsync(context, cancellationToken, "name", "description", "unique_instance_crns");
        if (body.Error is not null)
            return body.Error;
        var name = body.OptionalText("name", MaxText);
        var description = body.OptionalText("description", MaxText);
        if (body.Problem is { } problem)
            return ErrorResults.BadRequest(problem);
        var outcome = await rules.UpdateServiceIdAsync(context.Call(), id, ApiResults.IfMatch(context), name, description, cancellationToken);
        return outcome.Map(serviceId => ApiResults.Json(ToView(serviceId)));
    }

    private static async Task<Results<NoContent, IbmError>> SetLock(string id, bool locked, HttpContext context, RuleBook rules,
        CancellationToken cancellationToken) =>
        (await rules.SetServiceIdLockAsync(context.Call(), id, locked, cancellationToken)).Map(_ => TypedResults.NoContent());

    private static async Task<Results<NoContent, IbmError>> Delete(string id, HttpContext context, RuleBook rules, CancellationToken cancellationToken) =>
        (await rules.DeleteServiceIdAsync(context.Call(), id, cancellationToken)).Map(_ => TypedResults.NoContent());

    private static ServiceIdView ToView(Model.Identity serviceId) => new(
        serviceId.Id, serviceId.IamId, serviceId.Version.ToString(CultureInfo.InvariantCulture),
        Crn.Of("iam-identity", serviceId.AccountId, "serviceid", serviceId.Id).ToString(), serviceId.Locked,
        Timestamps.Format(serviceId.CreatedAt), Timestamps.Format(serviceId.ModifiedAt), serviceId.AccountId, serviceId.Name, serviceId.Description);
}
