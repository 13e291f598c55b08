namespace Tessera.Model;

/// <summary>A named set of users and service IDs that access policies can be granted to.</summary>
public sealed record AccessGroup
{
    public required string Id { get; init; }
    public required string AccountId { get; init; }
    public required string Name { get; init; }
    public string? Description { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public required string CreatedById { get; init; }
    public required DateTimeOffset ModifiedAt { get; init; }
    public required string ModifiedById { get; init; }
    public bool Deleted { get; init; }

    public static string NewId() => "AccessGroupId-" + Ids.NewUuid();
}

/// <summary>One member of an access group; <see cref="Removed"/> marks a membership that a change ended.</summary>
public sealed record GroupMembership(string GroupId, string IamId, string AccountId, DateTimeOffset AddedAt, string AddedBy, bool Removed = false);
