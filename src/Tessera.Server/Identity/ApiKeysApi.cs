using System.Globalization;
using System.Security.Claims;
using System.Text.Json.Nodes;
using Tessera.Decisions;
using Tessera.Model;
using Tessera.Security;
using Tessera.Server.Access;
using Tessera.Server.Audit;
using Tessera.Server.Errors;
using Tessera.Server.Http;
using Tessera.Storage;

namespace Tessera.Server.Identity;

/// <summary>
/// <c>/v1/apikeys</c>: keys for users, service IDs and service instances (<c>crn-&lt;instance CRN&gt;</c>, how a source
/// service authenticates as its instance). The key's value is shown once, in the create response, and stored hashed.
/// Everyone manages their own keys; others' keys need <c>iam-identity.apikey.*</c> on the owner.
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

    private static async Task<IResult> Create(HttpContext context, ClaimsPrincipal user, ITesseraStore store, AccessAuthority authority, TimeProvider time,
        CancellationToken cancellationToken)
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

        var caller = Caller.From(user);
        var owner = await store.GetIdentityAsync(iamId!, cancellationToken);
        if (owner is null || owner.Deleted || !await MayAsync(caller, "iam-identity.apikey.create", owner, authority, cancellationToken))
        {
            var answer = ErrorResults.BadRequest($"iam_id '{iamId}' is not an identity you may create API keys for");
            return owner is null ? answer : await Refusals.RecordAsync(context, caller, store, owner.AccountId, "iam-identity.apikey.create",
                AuditEvents.ApiKey(owner.AccountId, "new", name!), answer, cancellationToken);
        }

        var secret = ApiKeySecrets.NewSecret();
        var now = time.GetUtcNow();
        var key = new ApiKey("ApiKey-" + Ids.NewUuid(), owner.IamId, owner.AccountId, name!, ApiKeySecrets.Hash(secret), now)
        {
            Description = description,
            CreatedBy = caller.IamId,
            Locked = ServiceIdsApi.IsTrue(context.Request.Headers["Entity-Lock"]),
        };
        var auditEvent = AuditEvents.For(context, caller, owner.AccountId, "iam-identity.apikey.create", AuditEvents.ApiKey(owner.AccountId, key.Id, key.Name),
            StatusCodes.Status201Created, $"create API key {key.Id}", new JsonObject { ["name"] = name, ["iam_id"] = owner.IamId, ["description"] = description });
        var result = await store.CreateApiKeyAsync(key, auditEvent, cancellationToken);
        return result.Status == WriteStatus.Ok
            ? ApiResults.Json(ToView(result.Value!, secret), StatusCodes.Status201Created)
            : ErrorResults.BadRequest($"iam_id '{iamId}' is not an identity you may create API keys for");
    }

    private static async Task<IResult> List(HttpContext context, ClaimsPrincipal user, ITesseraStore store, AccessAuthority authority,
        CancellationToken cancellationToken)
    {
        var caller = Caller.From(user);
        var accountId = context.Request.Query["account_id"].ToString() is { Length: > 0 } given ? given : caller.AccountId;
        var iamId = context.Request.Query["iam_id"].ToString() is { Length: > 0 } owner ? owner : null;
        var keys = new List<ApiKeyView>();
        var owners = new Dictionary<string, Model.Identity?>(StringComparer.Ordinal);
        foreach (var key in await store.ListApiKeysAsync(accountId, iamId, cancellationToken))
        {
            if (!owners.TryGetValue(key.IamId, out var identity))
                identity = owners[key.IamId] = await store.GetIdentityAsync(key.IamId, cancellationToken);
            if (identity is not null && await MayAsync(caller, "iam-identity.apikey.read", identity, authority, cancellationToken))
                keys.Add(ToView(key, null));
        }
        return ApiResults.Json(new ApiKeyList(0, keys.Count, keys));
    }

    /// <summary>Who holds a key may read its details: the key in the <c>IAM-ApiKey</c> header is the proof.</summary>
    private static async Task<IResult> Details(HttpContext context, ITesseraStore store, CancellationToken cancellationToken)
    {
        var secret = context.Request.Headers["IAM-ApiKey"].ToString();
        var owner = secret.Length is 0 or > 256 ? null : await store.FindApiKeyByHashAsync(ApiKeySecrets.Hash(secret), cancellationToken);
        return owner is null ? ApiResults.NotFound("API key") : ApiResults.Json(ToView(owner.Key, null));
    }

    private static async Task<IResult> Get(string id, HttpContext context, ClaimsPrincipal user, ITesseraStore store, AccessAuthority authority,
        CancellationToken cancellationToken)
    {
        var (key, refusal) = await FindAsync(id, "iam-identity.apikey.read", context, Caller.From(user), store, authority, cancellationToken);
        return key is null ? refusal! : ApiResults.Json(ToView(key, null));
    }

    private static async Task<IResult> Update(string id, HttpContext context, ClaimsPrincipal user, ITesseraStore store, AccessAuthority authority,
        TimeProvider time, CancellationToken cancellationToken)
    {
        var caller = Caller.From(user);
        var (current, refusal) = await FindAsync(id, "iam-identity.apikey.update", context, caller, store, authority, cancellationToken);
        if (current is null)
            return refusal!;
        if (ApiResults.IfMatch(context) is not { } tag)
            return ApiResults.PreconditionRequired("API key");
        if (current.Locked)
            return ServiceIdsApi.Locked(id);
        using var body = await RequestBody.ReadAsync(context, cancellationToken, "name", "description", "support_sessions", "action_when_leaked", "expires_at");
        if (body.Error is not null)
            return body.Error;
        var name = body.OptionalText("name", MaxText) ?? current.Name;
        var description = body.OptionalText("description", MaxText) ?? current.Description;
        if (body.Problem is { } problem)
            return ErrorResults.BadRequest(problem);

        var auditEvent = AuditEvents.For(context, caller, current.AccountId, "iam-identity.apikey.update", AuditEvents.ApiKey(current.AccountId, id, name),
            StatusCodes.Status200OK, $"update API key {id}", new JsonObject { ["name"] = name, ["description"] = description });
        var result = await store.UpdateApiKeyAsync(current with { Name = name, Description = description, ModifiedAt = time.GetUtcNow() },
            ServiceIdsApi.ParseTag(tag), auditEvent, cancellationToken);
        return result.Status switch
        {
            WriteStatus.Ok => ApiResults.Json(ToView(result.Value!, null)),
            WriteStatus.PreconditionFailed => ApiResults.PreconditionFailed($"API key {id}"),
            _ => ApiResults.NotFound($"API key {id}"),
        };
    }

    private static async Task<IResult> Delete(string id, HttpContext context, ClaimsPrincipal user, ITesseraStore store, AccessAuthority authority,
        CancellationToken cancellationToken)
    {
        var caller = Caller.From(user);
        var (current, refusal) = await FindAsync(id, "iam-identity.apikey.delete", context, caller, store, authority, cancellationToken);
        if (current is null)
            return refusal!;
        if (current.Locked)
            return ServiceIdsApi.Locked(id);
        var auditEvent = AuditEvents.For(context, caller, current.AccountId, "iam-identity.apikey.delete", AuditEvents.ApiKey(current.AccountId, id, current.Name),
            StatusCodes.Status204NoContent, $"delete API key {id}");
        var result = await store.DeleteApiKeyAsync(id, auditEvent, cancellationToken);
        return result.Status == WriteStatus.Ok ? TypedResults.NoContent() : ApiResults.NotFound($"API key {id}");
    }

    private static async ValueTask<(ApiKey? Key, IResult? Refusal)> FindAsync(string id, string action, HttpContext context, Caller caller,
        ITesseraStore store, AccessAuthority authority, CancellationToken cancellationToken)
    {
        if (id.Length > 64 || await store.GetApiKeyAsync(id, cancellationToken) is not { Deleted: false } key
            || await store.GetIdentityAsync(key.IamId, cancellationToken) is not { } owner)
        {
            return (null, ApiResults.NotFound($"API key {id}"));
        }
        if (owner.IamId == caller.IamId)
            return (key, null);
        var refusal = await AccessGuard.CheckAsync(context, caller, store, authority, action, "iam-identity.apikey.read", OwnerResource(owner),
            AuditEvents.ApiKey(key.AccountId, id, key.Name), $"API key {id}", cancellationToken);
        return (refusal is null ? key : null, refusal);
    }

    private static async ValueTask<bool> MayAsync(Caller caller, string action, Model.Identity owner, AccessAuthority authority, CancellationToken cancellationToken) =>
        owner.IamId == caller.IamId || await authority.AllowsAsync(caller, action, OwnerResource(owner), cancellationToken);

    /// <summary>
    /// What a key's owner is, for authorization: a service ID, the instance a <c>crn-</c> identity is (a key for it lets
    /// its holder act as that instance), or, for a user, the account's identity service.
    /// </summary>
    private static Attributes OwnerResource(Model.Identity owner) => owner.Kind switch
    {
        IdentityKind.ServiceId => ServiceIdsApi.ResourceOf(owner.AccountId, owner.Id),
        IdentityKind.ServiceInstance when Crn.TryParse(owner.IamId[Model.Identity.InstanceIamPrefix.Length..], out var crn, out _) =>
            new Attributes(crn.AccountId, crn.ServiceName, crn.ServiceInstance),
        _ => new Attributes(AccountId: owner.AccountId, ServiceName: "iam-identity"),
    };

    private static ApiKeyView ToView(ApiKey key, string? secret) => new(
        key.Id, key.Version.ToString(CultureInfo.InvariantCulture), Crn.Of("iam-identity", key.AccountId, "apikey", key.Id).ToString(), key.Locked, false,
        Timestamps.Format(key.CreatedAt), key.CreatedBy, Timestamps.Format(key.ModifiedAt), key.Name, key.Description, key.IamId, key.AccountId, secret ?? string.Empty);
}

internal sealed record ApiKeyView(
    string Id, string EntityTag, string Crn, bool Locked, bool Disabled, string CreatedAt, string CreatedBy, string ModifiedAt, string Name,
    string? Description, string IamId, string AccountId, string Apikey);

internal sealed record ApiKeyList(int Offset, int Limit, IReadOnlyList<ApiKeyView> Apikeys);
