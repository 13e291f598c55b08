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
    public PolicySortField Sort { get; init; } = PolicySortField.CreatedAt;
    public bool Descending { get; init; }
    public int Limit { get; init; } = 50;
    public PageCursor? After { get; init; }
}

public sealed record PageCursor(string SortValue, string Id);
