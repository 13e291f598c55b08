using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Tessera.Catalog;
using Tessera.Errors;
using Tessera.Model;
using Tessera.Policies;
using Tessera.Audit;
using Tessera.Decisions;
using Tessera.Server.Access;
using Tessera.Server.Audit;
using Tessera.Server.Errors;
using Tessera.Server.Http;
using Tessera.Server.Identity;
using Tessera.Storage;

namespace Tessera.Server.Policies;

/// <summary><c>/v1/policies</c>: IBM's policy management API, v1 view, for authorization and access policies, under the rules of R3.</summary>
internal static class PoliciesApi
{
    private const int DefaultLimit = 50;
    private const int MaxLimit = 100;

    public static IEndpointRouteBuilder MapPolicies(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/v1/policies").RequireAuthorization();
        group.MapPost("", CreatePolicy);
        group.MapGet("", ListPolicies);
        group.MapGet("/{policyId}", GetPolicy);
        group.MapPut("/{policyId}", ReplacePolicy);
        group.MapPatch("/{policyId}", UpdatePolicyState);
        group.MapDelete("/{policyId}", DeletePolicy);
        return routes;
    }

    private static async Task<IResult> CreatePolicy(
        HttpContext context, ClaimsPrincipal user, ITesseraStore store, ServiceCatalog catalog, PolicyValidator validator, AccessAuthority authority,
        TimeProvider time, CancellationToken cancellationToken)
    {
        var (validated, error) = await ReadValidatedAsync(context, validator, cancellationToken);
        if (error is not null)
            return error;

        var caller = Caller.From(user);
        var resource = AccessAuthority.ResourceOf(validated!.Resource);
        string? delegator = null;
        if (!await authority.AllowsAsync(caller, Actions.Create, resource, cancellationToken))
        {
            // A source service holding Authorization Delegator on the target may authorize its dependents there (R10).
            delegator = validated.Type == PolicyType.Authorization && caller.InstanceCrn is { } source
                        && validated.Subject.Any(a => a.Name == AttributeNames.AccountId && a.Value == caller.AccountId)
                        && await authority.AllowsAsync(caller, Actions.CreateDelegated, resource, cancellationToken)
                ? source
                : null;
            if (delegator is null)
                return await RefuseAsync(context, caller, store, validated.AccountId, Actions.Create, null, cancellationToken);
        }
        if (await CheckGrantAsync(caller, validated.AccountId, validated.Resource, validated.Roles, authority, catalog, cancellationToken) is { } grantError)
            return grantError;
        if (await CheckSubjectAndInstancesAsync(validated, store, cancellationToken) is { } referenceError)
            return referenceError;

        var now = time.GetUtcNow();
        var creator = delegator ?? caller.IamId;
        var policy = new Policy
        {
            Id = Ids.NewUuid(),
            Type = validated.Type,
            AccountId = validated.AccountId,
            Description = validated.Description,
            Subject = validated.Subject,
            Roles = validated.Roles,
            Resource = validated.Resource,
            CreatedAt = now,
            CreatedById = creator,
            LastModifiedAt = now,
            LastModifiedById = creator,
        };
        var auditEvent = PolicyEvent(context, caller, "create", policy, catalog, StatusCodes.Status201Created);
        var result = await store.CreatePolicyAsync(policy, auditEvent, cancellationToken);
        return result.Status == WriteStatus.Ok
            ? PolicyResult(context, result.Value!, catalog, StatusCodes.Status201Created)
            : WriteFailure(result, policy.Id, catalog, ApiResults.BaseUrl(context));
    }

    private static async Task<IResult> GetPolicy(
        string policyId, HttpContext context, ClaimsPrincipal user, ITesseraStore store, ServiceCatalog catalog, AccessAuthority authority,
        CancellationToken cancellationToken)
    {
        var policy = await FindVisibleAsync(context, store, authority, Caller.From(user), policyId, cancellationToken);
        return policy is null ? ErrorResults.PolicyNotFound(policyId) : PolicyResult(context, policy, catalog, StatusCodes.Status200OK);
    }

    private static async Task<IResult> ListPolicies(
        HttpContext context, ClaimsPrincipal user, ITesseraStore store, ServiceCatalog catalog, AccessAuthority authority, CancellationToken cancellationToken)
    {
        var parameters = context.Request.Query;
        var accountId = parameters["account_id"].ToString();
        if (accountId.Length == 0)
            return ApiResults.MissingQuery("account_id");

        PolicyType? type = null;
        if (parameters["type"].ToString() is { Length: > 0 } typeText)
        {
            if (!PolicyWireNames.TryParseType(typeText, out var parsedType))
                return ApiResults.InvalidQuery("type", typeText, "'access' or 'authorization'");
            type = parsedType;
        }

        var state = PolicyState.Active;
        if (parameters["state"].ToString() is { Length: > 0 } stateText && !PolicyWireNames.TryParseState(stateText, out state))
            return ApiResults.InvalidQuery("state", stateText, "'active' or 'deleted'");

        var sortText = parameters["sort"].ToString();
        if (!TryParseSort(sortText, out var sortField, out var descending))
        {
            return ApiResults.InvalidQuery("sort", sortText,
                "one of id, type, state, created_at, created_by_id, last_modified_at, last_modified_by_id, optionally prefixed with '-' for descending order");
        }

        if (parameters["format"].ToString() is { Length: > 0 } format && format is not ("include_last_permit" or "display"))
            return ApiResults.InvalidQuery("format", format, "'include_last_permit' or 'display'");

        var limit = DefaultLimit;
        if (parameters["limit"].ToString() is { Length: > 0 } limitText && (!int.TryParse(limitText, out limit) || limit < 1 || limit > MaxLimit))
            return ApiResults.InvalidQuery("limit", limitText, $"a whole number from 1 to {MaxLimit}");

        PageCursor? after = null;
        if (parameters["start"].ToString() is { Length: > 0 } start && !PageTokens.TryDecode(start, sortText, out after))
            return ApiResults.InvalidQuery("start", start, "a 'next.start' token from a previous page of the same list and sort");

        var serviceName = parameters["service_name"].ToString();
        var subjectId = parameters["iam_id"].ToString() is { Length: > 0 } iamId ? iamId : parameters["access_group_id"].ToString();
        var baseUrl = ApiResults.BaseUrl(context);
        var firstHref = $"{baseUrl}/v1/policies{QueryWithout(context, "start")}";

        // Only what the caller may view (R3): an owner sees everything; anyone else, the policies on resources where
        // it holds iam.policy.read, and what it created as a delegator. Pages are filled, never silently cut short.
        var caller = Caller.From(user);
        var sees = await authority.IsOwnerAsync(caller, accountId, cancellationToken);
        var query = new PolicyQuery
        {
            AccountId = accountId,
            Type = type,
            State = state,
            ServiceName = serviceName.Length == 0 ? null : serviceName,
            SubjectId = subjectId.Length == 0 ? null : subjectId,
            Sort = sortField,
            Descending = descending,
            Limit = limit,
            After = after,
        };
        var visible = new List<Policy>(limit);
        PageCursor? next = null;
        while (true)
        {
            var page = await store.ListPoliciesAsync(query, cancellationToken);
            foreach (var policy in page.Policies)
            {
                if (!sees && !await MayAsync(authority, caller, Actions.Read, policy, cancellationToken))
                    continue;
                if (visible.Count == limit)
                {
                    next = PageCursor.After(visible[^1], sortField);
                    break;
                }
                visible.Add(policy);
            }
            if (sees)
                next = page.Next;
            if (sees || next is not null || page.Next is null)
                break;
            query = query with { After = page.Next };
        }

        PageLink? nextLink = null;
        if (next is not null)
        {
            var token = PageTokens.Encode(next, sortText);
            nextLink = new PageLink($"{firstHref}{(firstHref.Contains('?', StringComparison.Ordinal) ? '&' : '?')}start={Uri.EscapeDataString(token)}", token);
        }
        return ApiResults.Json(new V1PolicyList(limit, new PageLink(firstHref), nextLink, visible.Select(p => V1PolicyMapper.ToWire(p, catalog, baseUrl)).ToArray()));
    }

    private static async Task<IResult> ReplacePolicy(
        string policyId, HttpContext context, ClaimsPrincipal user, ITesseraStore store, ServiceCatalog catalog,
        PolicyValidator validator, AccessAuthority authority, TimeProvider time, CancellationToken cancellationToken)
    {
        var caller = Caller.From(user);
        var current = await FindVisibleAsync(context, store, authority, caller, policyId, cancellationToken);
        if (current is null)
            return ErrorResults.PolicyNotFound(policyId);
        if (!await MayAsync(authority, caller, Actions.Update, current, cancellationToken))
            return await RefuseAsync(context, caller, store, current.AccountId, Actions.Update, current.Id, cancellationToken);
        if (ApiResults.IfMatch(context) is not { } etag)
            return ApiResults.PreconditionRequired("policy");

        var (validated, error) = await ReadValidatedAsync(context, validator, cancellationToken);
        if (error is not null)
            return error;
        if (validated!.Type != current.Type)
            return ErrorResults.BadRequest($"a policy's type cannot change (it is '{current.Type.ToWire()}')");
        if (validated.AccountId != current.AccountId)
            return ErrorResults.BadRequest($"a policy cannot move to another account: resources[0] accountId must stay '{current.AccountId}'");
        var resource = AccessAuthority.ResourceOf(validated.Resource);
        if (!await authority.AllowsAsync(caller, Actions.Update, resource, cancellationToken))
            return await RefuseAsync(context, caller, store, current.AccountId, Actions.Update, current.Id, cancellationToken);
        if (await CheckGrantAsync(caller, validated.AccountId, validated.Resource, validated.Roles, authority, catalog, cancellationToken) is { } grantError)
            return grantError;
        if (await CheckSubjectAndInstancesAsync(validated, store, cancellationToken) is { } referenceError)
            return referenceError;

        var now = time.GetUtcNow();
        var replacement = current with
        {
            Description = validated.Description,
            Subject = validated.Subject,
            Roles = validated.Roles,
            Resource = validated.Resource,
            LastModifiedAt = now,
            LastModifiedById = caller.IamId,
        };
        var auditEvent = PolicyEvent(context, caller, "update", replacement, catalog, StatusCodes.Status200OK);
        var result = await store.ReplacePolicyAsync(replacement, etag, auditEvent, cancellationToken);
        return result.Status == WriteStatus.Ok
            ? PolicyResult(context, result.Value!, catalog, StatusCodes.Status200OK)
            : WriteFailure(result, policyId, catalog, ApiResults.BaseUrl(context));
    }

    private static async Task<IResult> UpdatePolicyState(
        string policyId, HttpContext context, ClaimsPrincipal user, ITesseraStore store, ServiceCatalog catalog, AccessAuthority authority,
        TimeProvider time, CancellationToken cancellationToken)
    {
        var caller = Caller.From(user);
        var current = await FindVisibleAsync(context, store, authority, caller, policyId, cancellationToken);
        if (current is null)
            return ErrorResults.PolicyNotFound(policyId);
        if (!await MayAsync(authority, caller, Actions.Update, current, cancellationToken))
            return await RefuseAsync(context, caller, store, current.AccountId, Actions.Update, current.Id, cancellationToken);
        if (ApiResults.IfMatch(context) is not { } etag)
            return ApiResults.PreconditionRequired("policy");

        var (document, readError) = await JsonBody.ReadAsync(context, cancellationToken);
        if (readError is not null)
            return readError;
        PolicyState state;
        using (document)
        {
            try
            {
                var root = JsonShape.Object(document!.RootElement, string.Empty);
                JsonShape.OnlyProperties(root, string.Empty, "state");
                var stateText = JsonShape.RequiredString(root, string.Empty, "state");
                if (!PolicyWireNames.TryParseState(stateText, out state))
                    return ErrorResults.BadRequest($"state must be 'active' or 'deleted', not '{stateText}'");
            }
            catch (BadShapeException ex)
            {
                return ErrorResults.BadRequest(ex.Message);
            }
        }

        // Restoring grants again: what it grants must be the caller's to grant now.
        if (state == PolicyState.Active && current.State == PolicyState.Deleted
            && await CheckGrantAsync(caller, current.AccountId, current.Resource, current.Roles, authority, catalog, cancellationToken) is { } grantError)
        {
            return grantError;
        }
        var result = await SetStateAsync(context, caller, current, state, etag, StatusCodes.Status200OK, store, catalog, time, cancellationToken);
        return result.Status == WriteStatus.Ok
            ? PolicyResult(context, result.Value!, catalog, StatusCodes.Status200OK)
            : WriteFailure(result, policyId, catalog, ApiResults.BaseUrl(context));
    }

    private static async Task<IResult> DeletePolicy(
        string policyId, HttpContext context, ClaimsPrincipal user, ITesseraStore store, ServiceCatalog catalog, AccessAuthority authority,
        TimeProvider time, CancellationToken cancellationToken)
    {
        var caller = Caller.From(user);
        var current = await FindVisibleAsync(context, store, authority, caller, policyId, cancellationToken);
        if (current is null || current.State == PolicyState.Deleted)
            return ErrorResults.PolicyNotFound(policyId);
        if (!await MayAsync(authority, caller, Actions.Delete, current, cancellationToken))
            return await RefuseAsync(context, caller, store, current.AccountId, Actions.Delete, current.Id, cancellationToken);

        var result = await SetStateAsync(context, caller, current, PolicyState.Deleted, null, StatusCodes.Status204NoContent, store, catalog, time, cancellationToken);
        return result.Status == WriteStatus.Ok ? TypedResults.NoContent() : WriteFailure(result, policyId, catalog, ApiResults.BaseUrl(context));
    }

    /// <summary>Deletes or restores a policy with its audit event; with an <paramref name="etag"/>, only if it is current.</summary>
    private static async ValueTask<WriteResult<Policy>> SetStateAsync(HttpContext context, Caller caller, Policy current, PolicyState state, string? etag,
        int status, ITesseraStore store, ServiceCatalog catalog, TimeProvider time, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var verb = state == PolicyState.Active ? "restore" : "delete";
        var auditEvent = PolicyEvent(context, caller, verb, current with { State = state }, catalog, status);
        return await store.SetPolicyStateAsync(current.Id, state, etag, caller.IamId, now, auditEvent, cancellationToken);
    }

    private static async ValueTask<(ValidatedPolicy? Policy, IResult? Error)> ReadValidatedAsync(
        HttpContext context, PolicyValidator validator, CancellationToken cancellationToken)
    {
        var (document, readError) = await JsonBody.ReadAsync(context, cancellationToken);
        if (readError is not null)
            return (null, readError);
        using (document)
        {
            PolicyDraft draft;
            try
            {
                draft = V1PolicyMapper.ReadDraft(document!.RootElement);
            }
            catch (BadShapeException ex)
            {
                return (null, ErrorResults.BadRequest(ex.Message));
            }
            return validator.TryValidate(draft, out var validated, out var error) ? (validated, null) : (null, ErrorResults.From(error));
        }
    }

    /// <summary>
    /// The policy, if it exists and the caller may view it; null otherwise, so that both cases answer alike. A policy
    /// that exists but is hidden from the caller is a refused attempt, recorded in the owning account's trail.
    /// </summary>
    private static async ValueTask<Policy?> FindVisibleAsync(HttpContext context, ITesseraStore store, AccessAuthority authority, Caller caller,
        string policyId, CancellationToken cancellationToken)
    {
        if (policyId.Length > 64 || await store.GetPolicyAsync(policyId, cancellationToken) is not { } policy)
            return null;
        if (await MayAsync(authority, caller, Actions.Read, policy, cancellationToken))
            return policy;
        await RefuseAsync(context, caller, store, policy.AccountId, Actions.Read, policy.Id, cancellationToken);
        return null;
    }

    /// <summary>R3: the caller holds the action on the policy's resource, or created the policy itself as a delegator.</summary>
    private static async ValueTask<bool> MayAsync(AccessAuthority authority, Caller caller, string action, Policy policy, CancellationToken cancellationToken) =>
        (caller.InstanceCrn is { } source && policy.CreatedById == source)
        || await authority.AllowsAsync(caller, action, AccessAuthority.ResourceOf(policy.Resource), cancellationToken);

    /// <summary>R3: a caller grants only what it holds itself on the target scope.</summary>
    private static async ValueTask<IResult?> CheckGrantAsync(Caller caller, string accountId, IReadOnlyList<AttributeConstraint> resourceConstraints,
        IReadOnlyList<string> roles, AccessAuthority authority, ServiceCatalog catalog, CancellationToken cancellationToken)
    {
        var target = resourceConstraints.FirstOrDefault(a => a.Name == AttributeNames.ServiceName)?.Value ?? string.Empty;
        var missing = await authority.MissingActionsAsync(caller, target, roles, AccessAuthority.ResourceOf(resourceConstraints), new CatalogRoleActions(catalog),
            cancellationToken);
        return missing.Count == 0
            ? null
            : ApiResults.Forbidden($"You can grant only access you hold yourself on {(target.Length == 0 ? "every service" : target)} in account " +
                                   $"{accountId}; you lack {string.Join(", ", missing.Take(5))}{(missing.Count > 5 ? $" and {missing.Count - 5} more" : string.Empty)}.");
    }

    /// <summary>
    /// An access policy's subject must be an identity or access group of the account; a registered instance named on
    /// either side must be live and be what the policy says it is.
    /// </summary>
    private static async ValueTask<IResult?> CheckSubjectAndInstancesAsync(ValidatedPolicy policy, ITesseraStore store, CancellationToken cancellationToken)
    {
        foreach (var subject in policy.Subject)
        {
            var exists = subject.Name switch
            {
                AttributeNames.IamId => await store.GetIdentityAsync(subject.Value, cancellationToken) is { Deleted: false } identity
                                        && identity.AccountId == policy.AccountId,
                AttributeNames.AccessGroupId => await store.GetAccessGroupAsync(subject.Value, cancellationToken) is { Deleted: false } group
                                                && group.AccountId == policy.AccountId,
                _ => true,
            };
            if (!exists)
                return ErrorResults.BadRequest($"subject {subject.Name} '{subject.Value}' is not a live identity or access group of account {policy.AccountId}");
        }
        foreach (var (side, attributes) in new[] { ("subject", policy.Subject), ("resource", policy.Resource) })
        {
            var named = attributes.FirstOrDefault(a => a.Name == AttributeNames.ServiceInstance && a.Operator == AttributeOperator.StringEquals);
            if (named is null || await store.GetInstanceAsync(DecisionIndex.InstanceGuid(named.Value), cancellationToken) is not { } instance)
                continue;
            var account = attributes.FirstOrDefault(a => a.Name == AttributeNames.AccountId)?.Value;
            var service = attributes.FirstOrDefault(a => a.Name == AttributeNames.ServiceName)?.Value;
            if (instance.Removed)
                return ErrorResults.BadRequest($"{side} serviceInstance '{named.Value}' has been removed");
            if (instance.AccountId != account || instance.ServiceName != service)
                return ErrorResults.BadRequest($"{side} serviceInstance '{named.Value}' is an instance of {instance.ServiceName} in account {instance.AccountId}");
        }
        return null;
    }

    /// <summary>Records a refused attempt in the owning account's trail and answers 403.</summary>
    private static ValueTask<IResult> RefuseAsync(HttpContext context, Caller caller, ITesseraStore store, string accountId, string action,
        string? policyId, CancellationToken cancellationToken) =>
        Refusals.RecordAsync(context, caller, store, accountId, PolicyAction(action), AuditEvents.Policy(accountId, policyId ?? "new"),
            ApiResults.Forbidden($"You are not allowed to {action} this policy in account {accountId}."), cancellationToken);

    private static string PolicyAction(string iamAction) => "iam-am.policy." + iamAction[(iamAction.LastIndexOf('.') + 1)..];

    internal static AuditEvent PolicyEvent(HttpContext context, Caller caller, string verb, Policy policy, ServiceCatalog catalog, int status,
        string? cause = null) =>
        AuditEvents.For(context, caller, policy.AccountId, $"iam-am.policy.{(verb == "restore" ? "update" : verb)}",
            AuditEvents.Policy(policy.AccountId, policy.Id), status, $"{verb} policy {policy.Id}{(cause is null ? string.Empty : $" because {cause}")}",
            JsonSerializer.SerializeToNode(V1PolicyMapper.ToWire(policy, catalog, ApiResults.BaseUrl(context)), ServerJsonContext.Default.V1Policy));

    /// <summary>The IBM actions that guard policies (on the policy's resource).</summary>
    private static class Actions
    {
        public const string Read = "iam.policy.read";
        public const string Create = "iam.policy.create";
        public const string Update = "iam.policy.update";
        public const string Delete = "iam.policy.delete";
        public const string CreateDelegated = "iam.delegationPolicy.create";
    }

    private static IResult WriteFailure(WriteResult<Policy> result, string policyId, ServiceCatalog catalog, string baseUrl) => result.Status switch
    {
        WriteStatus.Conflict => ErrorResults.Create(StatusCodes.Status409Conflict, ErrorCodes.PolicyConflict,
            $"Failed to create policy. A policy with the same subject, roles and resource already exists: {result.Value!.Id}.",
            new IbmErrorDetails(new IbmConflict(result.Value.ETag, V1PolicyMapper.ToWire(result.Value, catalog, baseUrl)))),
        WriteStatus.PreconditionFailed => ApiResults.PreconditionFailed($"policy {policyId}"),
        _ => ErrorResults.PolicyNotFound(policyId),
    };

    private static JsonHttpResult<V1Policy> PolicyResult(HttpContext context, Policy policy, ServiceCatalog catalog, int status)
    {
        context.Response.Headers.ETag = policy.ETag;
        return ApiResults.Json(V1PolicyMapper.ToWire(policy, catalog, ApiResults.BaseUrl(context)), status);
    }

    private static bool TryParseSort(string text, out PolicySortField field, out bool descending)
    {
        descending = text.StartsWith('-');
        (var known, field) = (descending ? text[1..] : text) switch
        {
            "" or "created_at" => (true, PolicySortField.CreatedAt),
            "last_modified_at" => (true, PolicySortField.LastModifiedAt),
            "id" => (true, PolicySortField.Id),
            "type" => (true, PolicySortField.Type),
            "state" => (true, PolicySortField.State),
            "created_by_id" => (true, PolicySortField.CreatedById),
            "last_modified_by_id" => (true, PolicySortField.LastModifiedById),
            _ => (false, PolicySortField.CreatedAt),
        };
        return known && text != "-";
    }

    private static string QueryWithout(HttpContext context, string name)
    {
        var kept = context.Request.Query.Where(p => p.Key != name).Select(p => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(p.Value.ToString())}").ToArray();
        return kept.Length == 0 ? string.Empty : "?" + string.Join('&', kept);
    }
}
