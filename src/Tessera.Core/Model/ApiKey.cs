namespace Tessera.Model;

/// <summary>An API key as stored: the secret itself is never kept, only its hash.</summary>
public sealed record ApiKey(string Id, string IamId, string AccountId, string Name, string Hash, DateTimeOffset CreatedAt)
{
    public string? Description { get; init; }
    public string CreatedBy { get; init; } = IamId;
    public bool Locked { get; init; }
    public bool Deleted { get; init; }
    public DateTimeOffset ModifiedAt { get; init; } = CreatedAt;
    public int Version { get; init; } = 1;
}
