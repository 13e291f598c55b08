namespace Tessera.Storage;

public enum PolicySortField
{
    CreatedAt,
    LastModifiedAt,
    Id,
    Type,
    State,
    CreatedById,
    LastModifiedById,
    /// <summary>When the policy last permitted a decision: ascending, the unused ones come first.</summary>
    LastPermitAt,
}
