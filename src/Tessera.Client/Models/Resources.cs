namespace Tessera.Client.Models;

public sealed record ResourceGroup : ApiObject
{
    public required string Id { get; init; }
    public string? Crn { get; init; }
    public string? AccountId { get; init; }
    public string? Name { get; init; }
    public string? State { get; init; }
    public bool Default { get; init; }
    public string? CreatedAt { get; init; }
    public string? UpdatedAt { get; init; }
}

public sealed record ResourceGroupPage : ApiObject
{
    public required IReadOnlyList<ResourceGroup> Resources { get; init; }
}

public sealed record ResourceInstance : ApiObject
{
    public required string Id { get; init; }
    public required string Guid { get; init; }
    public required string Crn { get; init; }
    public string? Url { get; init; }
    public required string Name { get; init; }
    public string? RegionId { get; init; }
    public required string AccountId { get; init; }
    public string? ResourceGroupId { get; init; }
    public string? ResourceGroupCrn { get; init; }
    public string? ResourcePlanId { get; init; }
    public required string ResourceId { get; init; }
    public string? State { get; init; }
    public string? Type { get; init; }
    public bool Locked { get; init; }
    public bool AllowCleanup { get; init; }
    public string? CreatedAt { get; init; }
    public string? CreatedBy { get; init; }
    public string? UpdatedAt { get; init; }
    public string? DeletedAt { get; init; }
    public string? DeletedBy { get; init; }
}

public sealed record ResourceInstancePage : ApiObject
{
    public int RowsCount { get; init; }
    public string? NextUrl { get; init; }
    public required IReadOnlyList<ResourceInstance> Resources { get; init; }
}

/// <summary>A new service instance: its name, region, group and plan.</summary>
public sealed record NewResourceInstance(string Name, string Target, string ResourceGroup, string ResourcePlanId);

/// <summary>What to list: instances, narrowed as the resource controller narrows them.</summary>
public sealed record ResourceInstanceFilter
{
    public string? AccountId { get; init; }
    public string? Name { get; init; }
    public string? ResourceGroupId { get; init; }
    public string? ResourceId { get; init; }
    public string? State { get; init; }
}
