using System.Globalization;
using System.Text.Json.Nodes;
using Tessera.Decisions;
using Tessera.Model;
using Tessera.Policies;
using Tessera.Security;
using Tessera.Storage;

namespace Tessera.Management;

// Service IDs and API keys (IBM IAM Identity). Deleting a service ID deletes its keys, memberships and policies (R7).
public sealed partial class RuleBook
{
    private const string ServiceIdRead = "iam-identity.serviceid.read";
    private const string ApiKeyRead = "iam-identity.apikey.read";

    /// <summary>The resource a service ID is, for authorization: <c>iam-identity</c> / <c>serviceid</c> / its id.</summary>
    public static Attributes ServiceIdResource(string accountId, string serviceIdId) =>
        new(AccountId: accountId, ServiceName: "iam-identity", ResourceType: "serviceid", Resource: serviceIdId);

    public async ValueTask<Outcome<Identity>> CreateServiceIdAsync(CallContext call, string accountId, string name, string? description, bool locked,
        CancellationToken cancellationToken)
    {
        const string Action = "iam-identity.serviceid.create";
        var id = "ServiceId-" + Ids.NewUuid();
        var target = AuditEvents.ServiceId(accountId, id, name);
        var resource = ServiceIdResource(accountId, id);
        if (!await authority.AllowsAsync(call.Caller, Action, resource, cancellationToken))
            return Done(call, "serviceid.create", (Outcome<Identity>)Refuse(call, Action, resource, target, "service IDs"));
        var serviceId = new Identity(Identity.ServiceIdIamId(id), accountId, IdentityKind.ServiceId, name, Now) { Description = description, Locked = locked };
        var auditEvent = AuditEvents.For(call, Now, accountId, Action, target, 201, $"create service ID {id}",
            new JsonObject { ["name"] = name, ["description"] = description });
        var result = await store.CreateIdentityAsync(serviceId, auditEvent, cancellationToken);
        return Done(call, "serviceid.create", result.Status == WriteStatus.Ok
            ? Outcome.Created(result.Value!)
            : Outcome.Conflict($"A service ID {id} already exists."));
    }

    /// <summary>The account's service IDs the caller may read, optionally only those named <paramref name="name"/>.</summary>
    public async ValueTask<IReadOnlyList<Identity>> ListServiceIdsAsync(CallContext call, string accountId, string? name, CancellationToken cancellationToken)
    {
        var visible = new List<Identity>();
        foreach (var serviceId in await store.ListIdentitiesAsync(accountId, IdentityKind.ServiceId, cancellationToken))
        {
            if ((name is null || serviceId.Name == name)
                && await authority.AllowsAsync(call.Caller, ServiceIdRead, ServiceIdResource(accountId, serviceId.Id), cancellationToken))
            {
                visible.Add(serviceId);
            }
        }
        return visible;
    }

    public async ValueTask<Outcome<Identity>> GetServiceIdAsync(CallContext call, string id, CancellationToken cancellationToken) =>
        await FindServiceIdAsync(call, id, ServiceIdRead, cancellationToken);

    /// <summary>Renames or re-describes a service ID; <paramref name="entityTag"/> (If-Match) is required, and a locked one cannot change.</summary>
    public async ValueTask<Outcome<Identity>> UpdateServiceIdAsync(CallContext call, string id, string? entityTag, string? name, string? description,
        CancellationToken cancellationToken)
    {
        const string Operation = "serviceid.update";
        var found = await FindServiceIdAsync(call, id, "iam-identity.serviceid.update", cancellationToken);
        if (found.Value is not { } current)
            return Done(call, Operation, found);
        if (entityTag is null)
            return Done(call, Operation, (Outcome<Identity>)Outcome.PreconditionRequired("service ID"));
        if (current.Locked)
            return Done(call, Operation, (Outcome<Identity>)Outcome.Locked(id));
        name ??= current.Name;
        description ??= current.Description;
        var auditEvent = AuditEvents.For(call, Now, current.AccountId, "iam-identity.serviceid.update", AuditEvents.ServiceId(current.AccountId, id, name), 200,
            $"update service ID {id}", new JsonObject { ["name"] = name, ["description"] = description });
        var result = await store.UpdateIdentityAsync(current with { Name = name, Description = description, ModifiedAt = Now }, ParseEntityTag(entityTag),
            auditEvent, cancellationToken);
        return Done(call, Operation, VersionedWrite(result, $"service ID {id}", ServiceIdNotFound(id)));
    }

    public async ValueTask<Outcome<Identity>> SetServiceIdLockAsync(CallContext call, string id, bool locked, CancellationToken cancellationToken)
    {
        const string Operation = "serviceid.lock";
        var found = await FindServiceIdAsync(call, id, "iam-identity.serviceid.lock", cancellationToken);
        if (found.Value is not { } current)
            return Done(call, Operation, found);
        var verb = locked ? "lock" : "unlock";
        var auditEvent = AuditEvents.For(call, Now, current.AccountId, $"iam-identity.serviceid.{verb}", AuditEvents.ServiceId(current.AccountId, id, current.Name),
            204, $"{verb} service ID {id}");
        var result = await store.UpdateIdentityAsync(current with { Locked = locked, ModifiedAt = Now }, null, auditEvent, cancellationToken);
        return Done(call, Operation, result.Status == WriteStatus.Ok ? Outcome.Ok(result.Value!) : ServiceIdNotFound(id));
    }

    /// <summary>What deleting the service ID takes with it (R7), as far as the caller may see: the policies granted to it (its keys go too).</summary>
    public ValueTask<IReadOnlyList<Policy>> PoliciesRemovedWithAsync(CallContext call, Identity serviceId, CancellationToken cancellationToken) =>
        VisiblePoliciesAsync(call, serviceId.AccountId, policy => policy.SubjectValue(AttributeNames.IamId) == serviceId.IamId, cancellationToken);

    /// <summary>Deletes a service ID with its API keys, memberships and the policies granted to it (R7), one event each.</summary>
    public async ValueTask<Outcome<Identity>> DeleteServiceIdAsync(CallContext call, string id, CancellationToken cancellationToken)
    {
        const string Operation = "serviceid.delete";
        var found = await FindServiceIdAsync(call, id, "iam-identity.serviceid.delete", cancellationToken);
        if (found.Value is not { } current)
            return Done(call, Operation, found);
        if (current.Locked)
            return Done(call, Operation, (Outcome<Identity>)Outcome.Locked(id));
        var auditEvent = AuditEvents.For(call, Now, current.AccountId, "iam-identity.serviceid.delete", AuditEvents.ServiceId(current.AccountId, id, current.Name),
            204, $"delete service ID {id}");
        var result = await store.DeleteIdentityAsync(current.IamId, call.Caller.IamId, Now, auditEvent,
            new CascadeEvents(call, Now, catalog, $"service ID {id} was deleted"), cancellationToken);
        return Done(call, Operation, result.Status == WriteStatus.Ok ? Outcome.Ok(result.Value!) : ServiceIdNotFound(id));
    }

    private async ValueTask<Outcome<Identity>> FindServiceIdAsync(CallContext call, string id, string action, CancellationToken cancellationToken)
    {
        if (id.Length > 64 || await store.GetIdentityAsync(Identity.ServiceIdIamId(id), cancellationToken) is not { Kind: IdentityKind.ServiceId, Deleted: false } serviceId)
            return ServiceIdNotFound(id);
        var refusal = await GuardAsync(call, action, ServiceIdRead, ServiceIdResource(serviceId.AccountId, id),
            AuditEvents.ServiceId(serviceId.AccountId, id, serviceId.Name), $"Service ID {id}", cancellationToken);
        return refusal is null ? Outcome.Ok(serviceId) : refusal;
    }

    private static Failure ServiceIdNotFound(string id) => Outcome.NotFound($"Service ID {id}");

    /// <summary>A new API key for <paramref name="iamId"/>: the key's value is in the outcome once, and only its hash is stored.</summary>
    public async ValueTask<Outcome<NewApiKey>> CreateApiKeyAsync(CallContext call, string iamId, string name, string? description, bool locked,
        CancellationToken cancellationToken)
    {
        const string Action = "iam-identity.apikey.create";
        var owner = await store.GetIdentityAsync(iamId, cancellationToken);
        var notYours = Outcome.Invalid($"iam_id '{iamId}' is not an identity you may create API keys for", "iam_id");
        if (owner is null || owner.Deleted)
            return Done(call, "apikey.create", (Outcome<NewApiKey>)notYours);
        if (!await MayManageKeysOfAsync(call.Caller, Action, owner, cancellationToken))
        {
            refusals.Record(call, owner.AccountId, Action, AuditEvents.ApiKey(owner.AccountId, "new", name));
            return Done(call, "apikey.create", (Outcome<NewApiKey>)notYours);
        }
        var secret = ApiKeySecrets.NewSecret();
        var key = new ApiKey("ApiKey-" + Ids.NewUuid(), owner.IamId, owner.AccountId, name, ApiKeySecrets.Hash(secret), Now)
        {
            Description = description,
            CreatedBy = call.Caller.IamId,
            Locked = locked,
        };
        var auditEvent = AuditEvents.For(call, Now, owner.AccountId, Action, AuditEvents.ApiKey(owner.AccountId, key.Id, key.Name), 201,
            $"create API key {key.Id}", new JsonObject { ["name"] = name, ["iam_id"] = owner.IamId, ["description"] = description });
        var result = await store.CreateApiKeyAsync(key, auditEvent, cancellationToken);
        return Done(call, "apikey.create", result.Status == WriteStatus.Ok ? Outcome.Created(new NewApiKey(result.Value!, secret)) : notYours);
    }

    /// <summary>The account's keys the caller may read (its own always), only <paramref name="iamId"/>'s when given.</summary>
    public async ValueTask<IReadOnlyList<ApiKey>> ListApiKeysAsync(CallContext call, string accountId, string? iamId, CancellationToken cancellationToken)
    {
        var keys = new List<ApiKey>();
        var owners = new Dictionary<string, Identity?>(StringComparer.Ordinal);
        foreach (var key in await store.ListApiKeysAsync(accountId, iamId, cancellationToken))
        {
            if (!owners.TryGetValue(key.IamId, out var owner))
                owner = owners[key.IamId] = await store.GetIdentityAsync(key.IamId, cancellationToken);
            if (owner is not null && await MayManageKeysOfAsync(call.Caller, ApiKeyRead, owner, cancellationToken))
                keys.Add(key);
        }
        return keys;
    }

    /// <summary>Whoever holds a key may read its details: the key itself is the proof.</summary>
    public async ValueTask<ApiKey?> ApiKeyDetailsAsync(string secret, CancellationToken cancellationToken) =>
        secret.Length is 0 or > 256 ? null : (await store.FindApiKeyByHashAsync(ApiKeySecrets.Hash(secret), cancellationToken))?.Key;

    public async ValueTask<Outcome<ApiKey>> GetApiKeyAsync(CallContext call, string id, CancellationToken cancellationToken) =>
        await FindApiKeyAsync(call, id, ApiKeyRead, cancellationToken);

    public async ValueTask<Outcome<ApiKey>> UpdateApiKeyAsync(CallContext call, string id, string? entityTag, string? name, string? description,
        CancellationToken cancellationToken)
    {
        const string Operation = "apikey.update";
        var found = await FindApiKeyAsync(call, id, "iam-identity.apikey.update", cancellationToken);
        if (found.Value is not { } current)
            return Done(call, Operation, found);
        if (entityTag is null)
            return Done(call, Operation, (Outcome<ApiKey>)Outcome.PreconditionRequired("API key"));
        if (current.Locked)
            return Done(call, Operation, (Outcome<ApiKey>)Outcome.Locked(id));
        name ??= current.Name;
        description ??= current.Description;
        var auditEvent = AuditEvents.For(call, Now, current.AccountId, "iam-identity.apikey.update", AuditEvents.ApiKey(current.AccountId, id, name), 200,
            $"update API key {id}", new JsonObject { ["name"] = name, ["description"] = description });
        var result = await store.UpdateApiKeyAsync(current with { Name = name, Description = description, ModifiedAt = Now }, ParseEntityTag(entityTag),
            auditEvent, cancellationToken);
        return Done(call, Operation, VersionedWrite(result, $"API key {id}", ApiKeyNotFound(id)));
    }

    public async ValueTask<Outcome<ApiKey>> DeleteApiKeyAsync(CallContext call, string id, CancellationToken cancellationToken)
    {
        const string Operation = "apikey.delete";
        var found = await FindApiKeyAsync(call, id, "iam-identity.apikey.delete", cancellationToken);
        if (found.Value is not { } current)
            return Done(call, Operation, found);
        if (current.Locked)
            return Done(call, Operation, (Outcome<ApiKey>)Outcome.Locked(id));
        var auditEvent = AuditEvents.For(call, Now, current.AccountId, "iam-identity.apikey.delete", AuditEvents.ApiKey(current.AccountId, id, current.Name),
            204, $"delete API key {id}");
        var result = await store.DeleteApiKeyAsync(id, auditEvent, cancellationToken);
        return Done(call, Operation, result.Status == WriteStatus.Ok ? Outcome.Ok(result.Value!) : ApiKeyNotFound(id));
    }

    private async ValueTask<Outcome<ApiKey>> FindApiKeyAsync(CallContext call, string id, string action, CancellationToken cancellationToken)
    {
        if (id.Length > 64 || await store.GetApiKeyAsync(id, cancellationToken) is not { Deleted: false } key
            || await store.GetIdentityAsync(key.IamId, cancellationToken) is not { } owner)
        {
            return ApiKeyNotFound(id);
        }
        // Everyone manages their own keys.
        if (owner.IamId == call.Caller.IamId)
            return Outcome.Ok(key);
        var refusal = await GuardAsync(call, action, ApiKeyRead, KeyOwnerResource(owner), AuditEvents.ApiKey(key.AccountId, id, key.Name), $"API key {id}",
            cancellationToken);
        return refusal is null ? Outcome.Ok(key) : refusal;
    }

    private static Failure ApiKeyNotFound(string id) => Outcome.NotFound($"API key {id}");

    private async ValueTask<bool> MayManageKeysOfAsync(Caller caller, string action, Identity owner, CancellationToken cancellationToken) =>
        owner.IamId == caller.IamId || await authority.AllowsAsync(caller, action, KeyOwnerResource(owner), cancellationToken);

    /// <summary>
    /// What a key's owner is, for authorization: a service ID, the instance a <c>crn-</c> identity is (a key for it lets
    /// its holder act as that instance), or, for a user, the account's identity service.
    /// </summary>
    private static Attributes KeyOwnerResource(Identity owner) => owner.Kind switch
    {
        IdentityKind.ServiceId => ServiceIdResource(owner.AccountId, owner.Id),
        IdentityKind.ServiceInstance when Crn.TryParse(owner.IamId[Identity.InstanceIamPrefix.Length..], out var crn, out _) =>
            new Attributes(crn.AccountId, crn.ServiceName, crn.ServiceInstance),
        _ => new Attributes(AccountId: owner.AccountId, ServiceName: "iam-identity"),
    };

    /// <summary>The version an entity tag names; one that names none matches no version, so the write is refused as stale.</summary>
    private static int ParseEntityTag(string tag) => int.TryParse(tag, NumberStyles.None, CultureInfo.InvariantCulture, out var version) ? version : -1;

    private static Outcome<T> VersionedWrite<T>(WriteResult<T> result, string what, Failure notFound)
        where T : class => result.Status switch
    {
        WriteStatus.Ok => Outcome.Ok(result.Value!),
        WriteStatus.PreconditionFailed => Outcome.PreconditionFailed(what),
        _ => notFound,
    };
}

/// <summary>A key just created, with its value: the only time the value exists outside its holder.</summary>
public sealed record NewApiKey(ApiKey Key, string Secret);
