namespace Tessera.Server.Resources;

internal sealed record LastOperation(string Type, string State, bool Async, string Description, bool Cancelable, bool Poll);

internal sealed record ResourceInstanceView(
    string Id, string Guid, string Crn, string Url, string Name, string RegionId, string AccountId, string ResourceGroupId, string ResourceGroupCrn,
    string ResourcePlanId, string ResourceId, string State, string Type, bool Locked, bool AllowCleanup, string CreatedAt, string CreatedBy,
    string UpdatedAt, string? DeletedAt, string? DeletedBy, LastOperation LastOperation);

// IBM sends next_url: null on the last page; SDK pagers read it.
internal sealed record ResourceInstanceList(
    int RowsCount, [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.Never)] string? NextUrl,
    IReadOnlyList<ResourceInstanceView> Resources);
