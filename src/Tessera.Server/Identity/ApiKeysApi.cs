using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Tessera.Management;
using Tessera.Model;
using Tessera.Server.Errors;
using Tessera.Server.Http;

namespace Tessera.Server.Identity;

/// <summary>
/// <c>/v1/apikeys</c>: keys for users, service IDs and service instances (<c>crn-&lt;instance CRN&gt;</c>, how a source
/// service authenticates as its instance). The key's value is shown once, in the create response, and stored hashed.
/// </summary>
internal static class ApiKeysApi
{
    private const int MaxText = 256;

    public static IEndpointRouteBuilder MapApiKeys(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/v1/apikeys").RequireAuthorization();
        group.MapPost("", Create);
        group.MapGet("", List);
        group.MapGet("/details", Details);
        group.MapGet("/{id}", Get);
        group.MapPut("/{id}", Update);
        group.MapDelete("/{id}", Delete);
        return routes;
    }

    private static async Task<Results<JsonHttpResult<ApiKeyView>, IbmError>> Create(HttpContext context, RuleBook rules, CancellationToken cancellationToken)
    {
        using var body = await RequestBody.ReadAsync(context, cancellationToken,
            "name", "iam_id", "description", "account_id", "apikey", "store_value", "support_sessions", "action_when_leaked", "expires_at");
        if (body.Error is not null)
            return body.Error;
        var name = body.RequiredText("name", MaxText);
        var iamId = body.RequiredText("iam_id", 1200);
        var description = body.OptionalText("description", MaxText);
        if (body.Property("apikey") is not null)
            body.Reject("'apikey' cannot be chosen: Tessera generates every key's value");
        if (body.Problem is { } problem)
            return ErrorResults.BadRequest(problem);
        var outcome = await rules.CreateApiKeyAsync(context.Call(), iamId!, name!, description, ApiResults.IsTrue(context.Request.Headers["Entity-Lock"]),
            cancellationToken);
        return outcome.Map(created => ApiResults.Json(ToView(created.Key, created.Secret), StatusCodes.Status201Created));
    }

    private static async Task<JsonHttpResult<ApiKeyList>> List(HttpContext context, RuleBook rules, CancellationToken cancellationToken)
    {
        var call = context.Call();
        var keys = await rules.ListApiKeysAsync(call, ApiResults.Query(context, "account_id") ?? call.Caller.AccountId, ApiResults.Query(context, "iam_id"),
            cancellationToken);
        return ApiResults.Json(new ApiKeyList(0, keys.Count, keys.Select(k => ToView(k, null)).ToArray()));
    }

    /// <summary>Who holds a key may read its details: the key in the <c>IAM-ApiKey</c> header is the proof.</summary>
    private static async Task<Results<JsonHttpResult<ApiKeyView>, IbmError>> Details(HttpContext context, RuleBook rules, CancellationToken cancellationToken) =>
        await rules.ApiKeyDetailsAsync(context.Request.Headers["IAM-ApiKey"].ToString(), cancellationToken) is { } key
            ? ApiResults.Json(ToView(key, null))
            : Outcome.NotFound("API key").ToError();

    private static async Task<Results<JsonHttpResult<ApiKeyView>, IbmError>> Get(string id, HttpContext context, RuleBook rules,
        CancellationToken cancellationToken) =>
        (await rules.GetApiKeyAsync(context.Call(), id, cancellationToken)).Map(key =>
        {
            var view = ToView(key, null);
            return ApiResults.Json(context, view, view.EntityTag);
        });

    private static async Task<Results<JsonHttpResult<ApiKeyView>, IbmError>> Update(string id, HttpContext context, RuleBook rules,
        CancellationToken cancellationToken)
    {
        using var body = await RequestBody.ReadAsync(context, cancellationToken, "name", "description", "support_sessions", "action_when_leaked", "expires_at");
        if (body.Error is not null)
            return body.Error;
        var name = body.OptionalText("name", MaxText);
        var description = body.OptionalText("description", MaxText);
        if (body.Problem is { } problem)
            return ErrorResults.BadRequest(problem);
        var outcome = await rules.UpdateApiKeyAsync(context.Call(), id, ApiResults.IfMatch(context), name, description, cancellationToken);
        return outcome.Map(key => ApiResults.Json(ToView(key, null)));
    }

    private static async Task<Results<NoContent, IbmError>> Delete(string id, HttpContext context, RuleBook rules, CancellationToken cancellationToken) =>
        (await rules.DeleteApiKeyAsync(context.Call(), id, cancellationToken)).Map(_ => TypedResults.NoContent());

    private static ApiKeyView ToView(ApiKey key, string? secret) => new(
        key.Id, key.Version.ToString(CultureInfo.InvariantCulture), Crn.Of("iam-identity", key.AccountId, "apikey", key.Id).ToString(), key.Locked, false,
        Timestamps.Format(key.CreatedAt), key.CreatedBy, Timestamps.Format(key.ModifiedAt), key.Name, key.Description, key.IamId, key.AccountId, secret ?? string.Empty);
}
