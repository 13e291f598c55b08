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
}
