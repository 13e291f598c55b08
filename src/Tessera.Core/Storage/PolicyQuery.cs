using Tessera.Policies;

namespace Tessera.Storage;

/// <summary>
/// A page of an account's policies. Paging is keyset-based: <see cref="After"/> is the sort value and id of the last
/// policy of the previous page, so concurrent writes never make a page skip or repeat a policy.
/// </summary>
public sealed record PolicyQuery
{
    public required string AccountId { get; init; }
    public PolicyType? Type { get; init; }
    public PolicyState State { get; init; } = PolicyState.Active;
    /// <summary>The target service (the resource's serviceName).</summary>
    public string? ServiceName { get; init; }
    /// <summary>
    /// IBM's service group (e.g. <c>IAM</c>), a resource attribute grouping platform services. Tessera's catalog has no
    /// service groups, so no policy names one and a list filtered by one is empty.
    /// </summary>
    public string? ServiceGroupId { get; init; }
    /// <summary>The identity or access group an access policy is granted to (IBM's <c>iam_id</c> and <c>access_group_id</c> filters).</summary>
    public string? SubjectId { get; init; }
    public PolicySortField Sort { get; init; } = PolicySortField.CreatedAt;
    public bool Descending { get; init; }
    /// <summary>At most this many policies; <see cref="int.MaxValue"/> for all of them.</summary>
    public int Limit { get; init; } = 50;
    public PageCursor? After { get; init; }
    /// <summary>Whether each policy comes with its recorded permits (<c>format=include_last_permit</c>, or a sort by them).</summary>
    public bool IncludePermits { get; init; }
    /// <summary>When set, only policies that may lie within what a caller may view (see <see cref="PolicyScope"/>).</summary>
    public PolicyScope? Within { get; init; }
}

/// <summary>
/// A bound on what a list reads for a caller who may view only part of an account: the target services where it holds
/// the read action, and the policies it created itself as a delegator. Each row read is still checked exactly; the
/// bound only keeps a list from costing what the account holds rather than what the caller may see.
/// </summary>
public sealed record PolicyScope(IReadOnlyList<string> TargetServices, string? CreatedById);

public sealed record PageCursor(string SortValue, string Id)
{
    /// <summary>How stores keep times as text: sortable, UTC, milliseconds.</summary>
    public const string TimeFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";

    /// <summary>The cursor that resumes a list after <paramref name="policy"/>.</summary>
    public static PageCursor After(Policy policy, PolicySortField sort) => new(sort switch
    {
        PolicySortField.CreatedAt => Format(policy.CreatedAt),
        PolicySortField.LastModifiedAt => Format(policy.LastModifiedAt),
        PolicySortField.Id => policy.Id,
        PolicySortField.Type => policy.Type.ToWire(),
        PolicySortField.State => policy.State.ToWire(),
        PolicySortField.CreatedById => policy.CreatedById,
        PolicySortField.LastModifiedById => policy.LastModifiedById,
        // Never permitted sorts first: the empty text is below every time.
        PolicySortField.LastPermitAt => policy.Permits?.LastPermitAt is { } at ? Format(at) : string.Empty,
        _ => throw new ArgumentOutOfRangeException(nameof(sort), sort, null),
    }, policy.Id);

    public static string Format(DateTimeOffset time) => time.UtcDateTime.ToString(TimeFormat, System.Globalization.CultureInfo.InvariantCulture);
}
