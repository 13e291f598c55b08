using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Tessera.Catalog;
using Tessera.Errors;
using Tessera.Model;
using Tessera.Policies;
using Tessera.Server.Audit;
using Tessera.Server.Errors;
using Tessera.Server.Http;
using Tessera.Server.Identity;
using Tessera.Storage;

namespace Tessera.Server.Policies;

/// <summary><c>/v1/policies</c>: IBM's policy management API, v1 view, for authorization policies.</summary>
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
        HttpContext context, ClaimsPrincipal user, ITesseraStore store, ServiceCatalog catalog, AuthorizationPolicyValidator validator,
        TimeProvider time, CancellationToken cancellationToken)
    {
        var (validated, error) = await ReadValidatedAsync(context, validator, cancellationToken);
        if (error is not null)
            return error;

        var caller = Caller.From(user);
        if (!await AccountAuthority.CanManageAsync(store, caller, validated!.AccountId, cancellationToken))
            return Forbidden(validated.AccountId);

        var now = time.GetUtcNow();
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
            CreatedById = caller.IamId,
            LastModifiedAt = now,
            LastModifiedById = caller.IamId,
        };
        var baseUrl = BaseUrl(context);
        var auditEvent = PolicyEvents.Create(context, caller, "create", policy, catalog, StatusCodes.Status201Created, now);
        var result = await store.CreatePolicyAsync(policy, auditEvent, cancellationToken);
        return result.Status == WriteStatus.Ok
            ? PolicyResult(context, result.Policy!, catalog, StatusCodes.Status201Created)
            : WriteFailure(result, policy.Id, catalog, baseUrl);
    }

    private static async Task<IResult> GetPolicy(
        string policyId, HttpContext context, ClaimsPrincipal user, ITesseraStore store, ServiceCatalog catalog, CancellationToken cancellationToken)
    {
        var policy = await FindVisibleAsync(store, Caller.From(user), policyId, cancellationToken);
        return policy is null ? ErrorResults.PolicyNotFound(policyId) : PolicyResult(context, policy, catalog, StatusCodes.Status200OK);
    }

    private static async Task<IResult> ListPolicies(
        HttpContext context, ClaimsPrincipal user, ITesseraStore store, ServiceCatalog catalog, CancellationToken cancellationToken)
    {
        var parameters = context.Request.Query;
        var accountId = parameters["account_id"].ToString();
        if (accountId.Length == 0)
            return ErrorResults.Create(StatusCodes.Status400BadRequest, ErrorCodes.MissingRequiredQueryParameter, "the query parameter 'account_id' is required");

        PolicyType? type = null;
        if (parameters["type"].ToString() is { Length: > 0 } typeText)
        {
            if (!PolicyWireNames.TryParseType(typeText, out var parsedType))
                return InvalidQuery("type", typeText, "'access' or 'authorization'");
            type = parsedType;
        }

        var state = PolicyState.Active;
        if (parameters["state"].ToString() is { Length: > 0 } stateText && !PolicyWireNames.TryParseState(stateText, out state))
            return InvalidQuery("state", stateText, "'active' or 'deleted'");

        var sortText = parameters["sort"].ToString();
        if (!TryParseSort(sortText, out var sortField, out var descending))
        {
            return InvalidQuery("sort", sortText,
                "one of id, type, state, created_at, created_by_id, last_modified_at, last_modified_by_id, optionally prefixed with '-' for descending order");
        }

        if (parameters["format"].ToString() is { Length: > 0 } format && format is not ("include_last_permit" or "display"))
            return InvalidQuery("format", format, "'include_last_permit' or 'display'");

        var limit = DefaultLimit;
        if (parameters["limit"].ToString() is { Length: > 0 } limitText && (!int.TryParse(limitText, out limit) || limit < 1 || limit > MaxLimit))
            return InvalidQuery("limit", limitText, $"a whole number from 1 to {MaxLimit}");

        PageCursor? after = null;
        if (parameters["start"].ToString() is { Length: > 0 } start && !PageTokens.TryDecode(start, sortText, out after))
            return InvalidQuery("start", start, "a 'next.start' token from a previous page of the same list and sort");

        var serviceName = parameters["service_name"].ToString();
        var baseUrl = BaseUrl(context);
        var firstHref = $"{baseUrl}/v1/policies{QueryWithout(context, "start")}";

        // Access policies filtered by an identity or group are not among authorizations; such a list is empty.
        var filtersAccessSubjects = parameters.ContainsKey("iam_id") || parameters.ContainsKey("access_group_id");
        if (filtersAccessSubjects || !await AccountAuthority.CanManageAsync(store, Caller.From(user), accountId, cancellationToken))
            return Json(new V1PolicyList(limit, new PageLink(firstHref), null, []), StatusCodes.Status200OK);

        var page = await store.ListPoliciesAsync(new PolicyQuery
        {
            AccountId = accountId,
            Type = type,
            State = state,
            ServiceName = serviceName.Length == 0 ? null : serviceName,
            Sort = sortField,
            Descending = descending,
            Limit = limit,
            After = after,
        }, cancellationToken);

        PageLink? next = null;
        if (page.Next is not null)
        {
            var token = PageTokens.Encode(page.Next, sortText);
            next = new PageLink($"{firstHref}{(firstHref.Contains('?', StringComparison.Ordinal) ? '&' : '?')}start={Uri.EscapeDataString(token)}", token);
        }
        return Json(new V1PolicyList(limit, new PageLink(firstHref), next, page.Policies.Select(p => V1PolicyMapper.ToWire(p, catalog, baseUrl)).ToArray()),
            StatusCodes.Status200OK);
    }

    private static async Task<IResult> ReplacePolicy(
        string policyId, HttpContext context, ClaimsPrincipal user, ITesseraStore store, ServiceCatalog catalog,
        AuthorizationPolicyValidator validator, TimeProvider time, CancellationToken cancellationToken)
    {
        var caller = Caller.From(user);
        var current = await FindVisibleAsync(store, caller, policyId, cancellationToken);
        if (current is null)
            return ErrorResults.PolicyNotFound(policyId);
        if (IfMatch(context) is not { } etag)
            return PreconditionRequired();

        var (validated, error) = await ReadValidatedAsync(context, validator, cancellationToken);
        if (error is not null)
            return error;
        if (validated!.Type != current.Type)
            return ErrorResults.BadRequest($"a policy's type cannot change (it is '{current.Type.ToWire()}')");
        if (validated.AccountId != current.AccountId)
            return ErrorResults.BadRequest($"a policy cannot move to another account: resources[0] accountId must stay '{current.AccountId}'");

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
        var baseUrl = BaseUrl(context);
        var auditEvent = PolicyEvents.Create(context, caller, "update", replacement, catalog, StatusCodes.Status200OK, now);
        var result = await store.ReplacePolicyAsync(replacement, etag, auditEvent, cancellationToken);
        return result.Status == WriteStatus.Ok
            ? PolicyResult(context, result.Policy!, catalog, StatusCodes.Status200OK)
            : WriteFailure(result, policyId, catalog, baseUrl);
    }

    private static async Task<IResult> UpdatePolicyState(
        string policyId, HttpContext context, ClaimsPrincipal user, ITesseraStore store, ServiceCatalog catalog, TimeProvider time,
        CancellationToken cancellationToken)
    {
        var caller = Caller.From(user);
        var current = await FindVisibleAsync(store, caller, policyId, cancellationToken);
        if (current is null)
            return ErrorResults.PolicyNotFound(policyId);
        if (IfMatch(context) is not { } etag)
            return PreconditionRequired();

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

        var result = await SetStateAsync(context, caller, current, state, etag, StatusCodes.Status200OK, store, catalog, time, cancellationToken);
        return result.Status == WriteStatus.Ok
            ? PolicyResult(context, result.Policy!, catalog, StatusCodes.Status200OK)
            : WriteFailure(result, policyId, catalog, BaseUrl(context));
    }

    private static async Task<IResult> DeletePolicy(
        string policyId, HttpContext context, ClaimsPrincipal user, ITesseraStore store, ServiceCatalog catalog, TimeProvider time,
        CancellationToken cancellationToken)
    {
        var caller = Caller.From(user);
        var current = await FindVisibleAsync(store, caller, policyId, cancellationToken);
        if (current is null || current.State == PolicyState.Deleted)
            return ErrorResults.PolicyNotFound(policyId);

        var result = await SetStateAsync(context, caller, current, PolicyState.Deleted, null, StatusCodes.Status204NoContent, store, catalog, time, cancellationToken);
        return result.Status == WriteStatus.Ok ? TypedResults.NoContent() : WriteFailure(result, policyId, catalog, BaseUrl(context));
    }

    /// <summary>Deletes or restores a policy with its audit event; with an <paramref name="etag"/>, only if it is current.</summary>
    private static async ValueTask<PolicyWriteResult> SetStateAsync(HttpContext context, Caller caller, Policy current, PolicyState state, string? etag,
        int status, ITesseraStore store, ServiceCatalog catalog, TimeProvider time, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var verb = state == PolicyState.Active ? "restore" : "delete";
        var auditEvent = PolicyEvents.Create(context, caller, verb, current with { State = state }, catalog, status, now);
        return await store.SetPolicyStateAsync(current.Id, state, etag, caller.IamId, now, auditEvent, cancellationToken);
    }

    private static async ValueTask<(ValidatedPolicy? Policy, IResult? Error)> ReadValidatedAsync(
        HttpContext context, AuthorizationPolicyValidator validator, CancellationToken cancellationToken)
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

    /// <summary>The policy, if it exists and the caller may see it; null otherwise, so both cases answer alike.</summary>
    private static async ValueTask<Policy?> FindVisibleAsync(ITesseraStore store, Caller caller, string policyId, CancellationToken cancellationToken)
    {
        if (policyId.Length > 64)
            return null;
        var policy = await store.GetPolicyAsync(policyId, cancellationToken);
        return policy is not null && await AccountAuthority.CanManageAsync(store, caller, policy.AccountId, cancellationToken) ? policy : null;
    }

    private static IResult WriteFailure(PolicyWriteResult result, string policyId, ServiceCatalog catalog, string baseUrl) => result.Status switch
    {
        WriteStatus.Conflict => ErrorResults.Create(StatusCodes.Status409Conflict, ErrorCodes.PolicyConflict,
            $"Failed to create policy. A policy with the same subject, roles and resource already exists: {result.Policy!.Id}.",
            new IbmErrorDetails(new IbmConflict(result.Policy.ETag, V1PolicyMapper.ToWire(result.Policy, catalog, baseUrl)))),
        WriteStatus.PreconditionFailed => ErrorResults.Create(StatusCodes.Status412PreconditionFailed, ErrorCodes.PreconditionFailed,
            $"The If-Match ETag is not the current version of policy {policyId}; get the policy again and retry with its ETag."),
        _ => ErrorResults.PolicyNotFound(policyId),
    };

    private static JsonHttpResult<V1Policy> PolicyResult(HttpContext context, Policy policy, ServiceCatalog catalog, int status)
    {
        context.Response.Headers.ETag = policy.ETag;
        return Json(V1PolicyMapper.ToWire(policy, catalog, BaseUrl(context)), status);
    }

    private static JsonHttpResult<T> Json<T>(T value, int status) =>
        TypedResults.Json(value, (System.Text.Json.Serialization.Metadata.JsonTypeInfo<T>)ServerJsonContext.Default.GetTypeInfo(typeof(T))!,
            "application/json; charset=utf-8", status);

    private static IResult Forbidden(string accountId) =>
        ErrorResults.Create(StatusCodes.Status403Forbidden, ErrorCodes.InsufficientPermissions,
            $"You are not allowed to manage authorizations in account {accountId}.");

    private static IResult PreconditionRequired() =>
        ErrorResults.Create(StatusCodes.Status428PreconditionRequired, ErrorCodes.PreconditionRequired,
            "The If-Match header is required: send the ETag of the policy you are changing.");

    private static IResult InvalidQuery(string name, string value, string expected) =>
        ErrorResults.Create(StatusCodes.Status400BadRequest, ErrorCodes.InvalidQueryParameter,
            $"the query parameter '{name}' has the invalid value '{value}'; expected {expected}");

    private static string? IfMatch(HttpContext context) =>
        context.Request.Headers.IfMatch.ToString() is { Length: > 0 } value ? value.Trim().Trim('"') : null;

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

    internal static string BaseUrl(HttpContext context) => $"{context.Request.Scheme}://{context.Request.Host}";
}
