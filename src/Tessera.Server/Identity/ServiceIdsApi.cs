using System.Globalization;
using System.Security.Claims;
using System.Text.Json.Nodes;
using Tessera.Decisions;
using Tessera.Model;
using Tessera.Server.Access;
using Tessera.Server.Audit;
using Tessera.Server.Errors;
using Tessera.Server.Http;
using Tessera.Storage;

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
        group.MapPost("/{id}/lock", (string id, HttpContext c, ClaimsPrincipal u, ITesseraStore s, AccessAuthority a, TimeProvider t, CancellationToken ct) =>
            SetLock(id, true, c, u, s, a, t, ct));
        group.MapDelete("/{id}/lock", (string id, HttpContext c, ClaimsPrincipal u, ITesseraStore s, AccessAuthority a, TimeProvider t, CancellationToken ct) =>
            SetLock(id, false, c, u, s, a, t, ct));
        return routes;
    }

    /// <summary>The resource a service ID is, for authorization: <c>iam-identity</c> / <c>serviceid</c> / its id.</summary>
    public static Attributes ResourceOf(string accountId, string serviceIdId) =>
        new(AccountId: accountId, ServiceName: "iam-identity", ResourceType: "serviceid", Resource: serviceIdId);

    private static async Task<IResult> Create(HttpContext context, ClaimsPrincipal user, ITesseraStore store, AccessAuthority authority, TimeProvider time,
        CancellationToken cancellationToken)
    {
        using var body = await RequestBody.ReadAsync(context, cancellationToken, "account_id", "name", "description", "group_id", "unique_instance_crns", "apikey");
        if (body.Error is not null)
            return body.Error;
        var accountId = body.RequiredText("account_id", 64);
        var name = body.RequiredText("name", MaxText);
        var description = body.OptionalText("description", MaxText);
        if (body.Problem is { } problem)
            return ErrorResults.BadRequest(problem);

        var caller = Caller.From(user);
        var id = "ServiceId-" + Ids.NewUuid();
        if (!await authority.AllowsAsync(caller, "iam-identity.serviceid.create", ResourceOf(accountId!, id), cancellationToken))
        {
            return await Refusals.RecordAsync(context, caller, store, accountId!, "iam-identity.serviceid.create", AuditEvents.ServiceId(accountId!, id, name!),
                ApiResults.Forbidden($"You are not allowed to create service IDs in account {accountId}."), cancellationToken);
        }
        var now = time.GetUtcNow();
        var serviceId = new Model.Identity(Model.Identity.ServiceIdIamId(id), accountId!, IdentityKind.ServiceId, name!, now)
        {
            Description = description,
            Locked = IsTrue(context.Request.Headers["Entity-Lock"]),
        };
        var auditEvent = AuditEvents.For(context, caller, accountId!, "iam-identity.serviceid.create", AuditEvents.ServiceId(accountId!, id, name!),
            StatusCodes.Status201Created, $"create service ID {id}", new JsonObject { ["name"] = name, ["description"] = description });
        var result = await store.CreateIdentityAsync(serviceId, auditEvent, cancellationToken);
        return ApiResults.Json(ToView(result.Value!), StatusCodes.Status201Created);
    }

    private static async Task<IResult> List(HttpContext context, ClaimsPrincipal user, ITesseraStore store, AccessAuthority authority,
        CancellationToken cancellationToken)
    {
        var accountId = context.Request.Query["account_id"].ToString();
        if (accountId.Length == 0)
            return ApiResults.MissingQuery("account_id");
        var (pageSize, limitError) = ApiResults.Limit(context, 20, 100, "pagesize");
        if (limitError is not null)
            return limitError;
        var offsetText = context.Request.Query["pagetoken"].ToString();
        var offset = 0;
        if (offsetText.Length > 0 && (!int.TryParse(offsetText, NumberStyles.None, CultureInfo.InvariantCulture, out offset) || offset < 0))
            return ApiResults.InvalidQuery("pagetoken", offsetText, "a 'next' token from a previous page");
        var name = context.Request.Query["name"].ToString();

        var caller = Caller.From(user);
        var visible = new List<Model.Identity>();
        foreach (var serviceId in await store.ListIdentitiesAsync(accountId, IdentityKind.ServiceId, cancellationToken))
        {
            if ((name.Length == 0 || serviceId.Name == name)
                && await authority.AllowsAsync(caller, "iam-identity.serviceid.read", ResourceOf(accountId, serviceId.Id), cancellationToken))
            {
                visible.Add(serviceId);
            }
        }
        var page = visible.Skip(offset).Take(pageSize).Select(ToView).ToArray();
        var next = offset + pageSize < visible.Count ? (offset + pageSize).ToString(CultureInfo.InvariantCulture) : null;
        return ApiResults.Json(new ServiceIdList(offset, pageSize, next, page));
    }

    private static async Task<IResult> Get(string id, HttpContext context, ClaimsPrincipal user, ITesseraStore store, AccessAuthority authority,
        CancellationToken cancellationToken)
    {
        var (serviceId, refusal) = await FindAsync(id, "iam-identity.serviceid.read", context, Caller.From(user), store, authority, cancellationToken);
        return refusal ?? ApiResults.Json(ToView(serviceId!));
    }

    private static async Task<IResult> Update(string id, HttpContext context, ClaimsPrincipal user, ITesseraStore store, AccessAuthority authority,
        TimeProvider time, CancellationToken cancellationToken)
    {
        var caller = Caller.From(user);
        var (current, refusal) = await FindAsync(id, "iam-identity.serviceid.update", context, caller, store, authority, cancellationToken);
        if (current is null)
            return refusal!;
        if (ApiResults.IfMatch(context) is not { } tag)
            return ApiResults.PreconditionRequired("service ID");
        if (current.Locked)
            return Locked(id);
        using var body = await RequestBody.ReadAsync(context, cancellationToken, "name", "description", "unique_instance_crns");
        if (body.Error is not null)
            return body.Error;
        var name = body.OptionalText("name", MaxText) ?? current.Name;
        var description = body.OptionalText("description", MaxText) ?? current.Description;
        if (body.Problem is { } problem)
            return ErrorResults.BadRequest(problem);

        var auditEvent = AuditEvents.For(context, caller, current.AccountId, "iam-identity.serviceid.update", AuditEvents.ServiceId(current.AccountId, id, name),
            StatusCodes.Status200OK, $"update service ID {id}", new JsonObject { ["name"] = name, ["description"] = description });
        var result = await store.UpdateIdentityAsync(current with { Name = name, Description = description, ModifiedAt = time.GetUtcNow() },
            ParseTag(tag), auditEvent, cancellationToken);
        return Answer(result, id);
    }

    private static async Task<IResult> SetLock(string id, bool locked, HttpContext context, ClaimsPrincipal user, ITesseraStore store,
        AccessAuthority authority, TimeProvider time, CancellationToken cancellationToken)
    {
        var caller = Caller.From(user);
        var (current, refusal) = await FindAsync(id, "iam-identity.serviceid.lock", context, caller, store, authority, cancellationToken);
        if (current is null)
            return refusal!;
        var verb = locked ? "lock" : "unlock";
        var auditEvent = AuditEvents.For(context, caller, current.AccountId, $"iam-identity.serviceid.{verb}",
            AuditEvents.ServiceId(current.AccountId, id, current.Name), StatusCodes.Status204NoContent, $"{verb} service ID {id}");
        var result = await store.UpdateIdentityAsync(current with { Locked = locked, ModifiedAt = time.GetUtcNow() }, null, auditEvent, cancellationToken);
        return result.Status == WriteStatus.Ok ? TypedResults.NoContent() : NotFound(id);
    }

    private static async Task<IResult> Delete(string id, HttpContext context, ClaimsPrincipal user, ITesseraStore store, AccessAuthority authority,
        Tessera.Catalog.ServiceCatalog catalog, TimeProvider time, CancellationToken cancellationToken)
    {
        var caller = Caller.From(user);
        var (current, refusal) = await FindAsync(id, "iam-identity.serviceid.delete", context, caller, store, authority, cancellationToken);
        if (current is null)
            return refusal!;
        if (current.Locked)
            return Locked(id);
        var auditEvent = AuditEvents.For(context, caller, current.AccountId, "iam-identity.serviceid.delete",
            AuditEvents.ServiceId(current.AccountId, id, current.Name), StatusCodes.Status204NoContent, $"delete service ID {id}");
        var result = await store.DeleteIdentityAsync(current.IamId, caller.IamId, time.GetUtcNow(), auditEvent,
            new CascadeEvents(context, caller, catalog, $"service ID {id} was deleted"), cancellationToken);
        return result.Status == WriteStatus.Ok ? TypedResults.NoContent() : NotFound(id);
    }

    /// <summary>The live service ID and, when the caller may not do <paramref name="action"/> on it, the answer to give instead.</summary>
    private static async ValueTask<(Model.Identity? ServiceId, IResult? Refusal)> FindAsync(string id, string action, HttpContext context, Caller caller,
        ITesseraStore store, AccessAuthority authority, CancellationToken cancellationToken)
    {
        if (id.Length > 64
            || await store.GetIdentityAsync(Model.Identity.ServiceIdIamId(id), cancellationToken) is not { Kind: IdentityKind.ServiceId, Deleted: false } serviceId)
        {
            return (null, NotFound(id));
        }
        var refusal = await AccessGuard.CheckAsync(context, caller, store, authority, action, "iam-identity.serviceid.read",
            ResourceOf(serviceId.AccountId, id), AuditEvents.ServiceId(serviceId.AccountId, id, serviceId.Name), $"Service ID {id}", cancellationToken);
        return (refusal is null ? serviceId : null, refusal);
    }

    private static IResult Answer(WriteResult<Model.Identity> result, string id) => result.Status switch
    {
        WriteStatus.Ok => ApiResults.Json(ToView(result.Value!)),
        WriteStatus.PreconditionFailed => ApiResults.PreconditionFailed($"service ID {id}"),
        _ => NotFound(id),
    };

    /// <summary>The version an entity tag names; one that names none matches no version, so the write is refused as stale.</summary>
    public static int ParseTag(string tag) => int.TryParse(tag, NumberStyles.None, CultureInfo.InvariantCulture, out var version) ? version : -1;

    public static bool IsTrue(Microsoft.Extensions.Primitives.StringValues header) =>
        string.Equals(header.ToString(), "true", StringComparison.OrdinalIgnoreCase);

    public static IResult Locked(string id) =>
        ErrorResults.Create(StatusCodes.Status409Conflict, Tessera.Errors.ErrorCodes.Locked, $"{id} is locked; unlock it before changing or deleting it.");

    private static IResult NotFound(string id) => ApiResults.NotFound($"Service ID {id}");

    private static ServiceIdView ToView(Model.Identity serviceId) => new(
        serviceId.Id, serviceId.IamId, serviceId.Version.ToString(CultureInfo.InvariantCulture),
        Crn.Of("iam-identity", serviceId.AccountId, "serviceid", serviceId.Id).ToString(), serviceId.Locked,
        Timestamps.Format(serviceId.CreatedAt), Timestamps.Format(serviceId.ModifiedAt), serviceId.AccountId, serviceId.Name, serviceId.Description);
}

internal sealed record ServiceIdView(
    string Id, string IamId, string EntityTag, string Crn, bool Locked, string CreatedAt, string ModifiedAt, string AccountId, string Name, string? Description);

internal sealed record ServiceIdList(int Offset, int Limit, string? Next, IReadOnlyList<ServiceIdView> Serviceids);
