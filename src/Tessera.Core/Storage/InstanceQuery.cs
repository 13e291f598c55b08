namespace Tessera.Storage;

/// <summary>A page of an account's service instances, oldest first, after <see cref="After"/> (keyset paging).</summary>
public sealed record InstanceQuery
{
    public required string AccountId { get; init; }
    public string? Guid { get; init; }
    public string? Name { get; init; }
    public string? ResourceGroupId { get; init; }
    public string? ServiceName { get; init; }
    public string? PlanId { get; init; }
    /// <summary>True: only removed instances; false: only active ones; null: both.</summary>
    public bool? Removed { get; init; } = false;
    public int Limit { get; init; } = 100;
    public (DateTimeOffset CreatedAt, string Guid)? After { get; init; }
}
