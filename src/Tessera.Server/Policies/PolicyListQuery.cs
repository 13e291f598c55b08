using Tessera.Policies;
using Tessera.Server.Errors;
using Tessera.Server.Http;
using Tessera.Storage;

namespace Tessera.Server.Policies;

/// <summary>
/// Reads a <c>GET /v1/policies</c> or <c>GET /v2/policies</c> query (IBM's parameters: <c>account_id</c>, <c>type</c>,
/// <c>state</c>, <c>sort</c>, <c>format</c>, <c>limit</c>, <c>start</c>, <c>service_name</c>, <c>service_group_id</c>,
/// <c>iam_id</c>, <c>access_group_id</c>) into a store query, and builds the page links of its answer.
/// <para>
/// Without <c>limit</c> the answer is every matching policy, as IBM's was before it paged: Terraform's data source
/// <c>ibm_iam_authorization_policies</c> makes one call without a limit and reads no <c>next</c>, so a first page of 50
/// would silently hide the rest. With <c>limit</c> (1 to 100) the list pages by <c>next.start</c>.
/// </para>
/// </summary>
internal static class PolicyListQuery
{
    public const int MaxLimit = 100;
    public const string IncludeLastPermit = "include_last_permit";
    /// <summary>The limit of a query that gave none: every policy.</summary>
    public const int Unlimited = int.MaxValue;

    public static (PolicyQuery? Query, IbmError? Error) Read(HttpContext context)
    {
        var parameters = context.Request.Query;
        if (ApiResults.Query(context, "account_id") is not { } accountId)
            return (null, ApiResults.MissingQuery("account_id"));

        PolicyType? type = null;
        if (ApiResults.Query(context, "type") is { } typeText)
        {
            if (!PolicyWireNames.TryParseType(typeText, out var parsedType))
                return (null, ApiResults.InvalidQuery("type", typeText, "'access' or 'authorization'"));
            type = parsedType;
        }

        var state = PolicyState.Active;
        if (ApiResults.Query(context, "state") is { } stateText && !PolicyWireNames.TryParseState(stateText, out state))
            return (null, ApiResults.InvalidQuery("state", stateText, "'active' or 'deleted'"));

        var sortText = parameters["sort"].ToString();
        if (!TryParseSort(sortText, out var sortField, out var descending))
        {
            return (null, ApiResults.InvalidQuery("sort", sortText,
                "one of id, type, state, created_at, created_by_id, last_modified_at, last_modified_by_id, last_permit_at, optionally prefixed with '-' for descending order"));
        }

        var (format, formatError) = ReadFormat(context);
        if (formatError is not null)
            return (null, formatError);

        var (limit, limitError) = ApiResults.Limit(context, Unlimited, MaxLimit);
        if (limitError is not null)
            return (null, limitError);

        PageCursor? after = null;
        if (ApiResults.Query(context, "start") is { } start && !PageTokens.TryDecode(start, sortText, out after))
            return (null, ApiResults.InvalidQuery("start", start, "a 'next.start' token from a previous page of the same list and sort"));

        return (new PolicyQuery
        {
            AccountId = accountId,
            Type = type,
            State = state,
            ServiceName = ApiResults.Query(context, "service_name"),
            ServiceGroupId = ApiResults.Query(context, "service_group_id"),
            SubjectId = ApiResults.Query(context, "iam_id") ?? ApiResults.Query(context, "access_group_id"),
            Sort = sortField,
            Descending = descending,
            Limit = limit,
            IncludePermits = format == IncludeLastPermit,
            After = after,
        }, null);
    }

    /// <summary>The <c>format</c> a list or get asked for (<c>include_last_permit</c> or <c>display</c>), or the 400 for another.</summary>
    public static (string? Format, IbmError? Error) ReadFormat(HttpContext context) =>
        ApiResults.Query(context, "format") is { } format && format is not ("include_last_permit" or "display")
            ? (null, ApiResults.InvalidQuery("format", format, "'include_last_permit' or 'display'"))
            : (ApiResults.Query(context, "format"), null);

    /// <summary>The list's <c>first</c> link (this query without <c>start</c>) and, when more follow, its <c>next</c> link.</summary>
    public static (PageLink First, PageLink? Next) Links(HttpContext context, string path, PageCursor? next)
    {
        var kept = context.Request.Query.Where(p => p.Key != "start")
            .Select(p => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(p.Value.ToString())}").ToArray();
        var first = $"{ApiResults.BaseUrl(context)}{path}{(kept.Length == 0 ? string.Empty : "?" + string.Join('&', kept))}";
        if (next is null)
            return (new PageLink(first), null);
        var token = PageTokens.Encode(next, context.Request.Query["sort"].ToString());
        return (new PageLink(first), new PageLink($"{first}{(kept.Length == 0 ? '?' : '&')}start={Uri.EscapeDataString(token)}", token));
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
            "last_permit_at" => (true, PolicySortField.LastPermitAt),
            _ => (false, PolicySortField.CreatedAt),
        };
        return known && text != "-";
    }
}
