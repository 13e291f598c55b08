namespace Tessera.Client.Models;

public sealed record ServiceId : ApiObject
{
    public required string Id { get; init; }
    public required string IamId { get; init; }
    public string? EntityTag { get; init; }
    public string? Crn { get; init; }
    public bool Locked { get; init; }
    public string? CreatedAt { get; init; }
    public string? ModifiedAt { get; init; }
    public required string AccountId { get; init; }
    public required string Name { get; init; }
    public string? Description { get; init; }
}

public sealed record ServiceIdPage : ApiObject
{
    public int Offset { get; init; }
    public int Limit { get; init; }
    public string? Next { get; init; }
    public required IReadOnlyList<ServiceId> Serviceids { get; init; }
}

/// <summary>An API key; <see cref="Apikey"/>, its secret, is filled only in the answer to its creation.</summary>
public sealed record ApiKey : ApiObject
{
    public required string Id { get; init; }
    public string? EntityTag { get; init; }
    public string? Crn { get; init; }
    public bool Locked { get; init; }
    public bool Disabled { get; init; }
    public string? CreatedAt { get; init; }
    public string? CreatedBy { get; init; }
    public string? ModifiedAt { get; init; }
    public required string Name { get; init; }
    public string? Description { get; init; }
    public required string IamId { get; init; }
    public required string AccountId { get; init; }
    public string? Apikey { get; init; }
}

public sealed record ApiKeyPage : ApiObject
{
    public int Offset { get; init; }
    public int Limit { get; init; }
    public required IReadOnlyList<ApiKey> Apikeys { get; init; }
}

public sealed record Account : ApiObject
{
    public required string Id { get; init; }
    public required string Name { get; init; }
    public required string OwnerIamId { get; init; }
    public required string CreatedAt { get; init; }
}

/// <summary>The answer to an account's creation: its owner's API key, shown this once.</summary>
public sealed record CreatedAccount : ApiObject
{
    public required string AccountId { get; init; }
    public required string Name { get; init; }
    public required string OwnerIamId { get; init; }
    public required string DefaultResourceGroupId { get; init; }
    public required CreatedApiKey Apikey { get; init; }
}

public sealed record CreatedApiKey : ApiObject
{
    public required string Id { get; init; }
    public required string Apikey { get; init; }
}

public sealed record User : ApiObject
{
    public required string IamId { get; init; }
    public required string Email { get; init; }
    public required string AccountId { get; init; }
    public required string State { get; init; }
    public required string CreatedAt { get; init; }
}

public sealed record UserPage : ApiObject
{
    public int TotalResults { get; init; }
    public required IReadOnlyList<User> Resources { get; init; }
}

public sealed record AccessGroup : ApiObject
{
    public required string Id { get; init; }
    public required string Name { get; init; }
    public string? Description { get; init; }
    public required string AccountId { get; init; }
    public string? CreatedAt { get; init; }
    public string? CreatedById { get; init; }
    public string? LastModifiedAt { get; init; }
    public string? LastModifiedById { get; init; }
    public string? Href { get; init; }
    public bool IsFederated { get; init; }
}

public sealed record AccessGroupPage : ApiObject
{
    public int Limit { get; init; }
    public int Offset { get; init; }
    public int TotalCount { get; init; }
    public required IReadOnlyList<AccessGroup> Groups { get; init; }
}

public sealed record GroupMember : ApiObject
{
    public required string IamId { get; init; }
    public string? Type { get; init; }
    public int? StatusCode { get; init; }
    public string? CreatedAt { get; init; }
    public string? CreatedById { get; init; }
}

public sealed record GroupMembers : ApiObject
{
    public required IReadOnlyList<GroupMember> Members { get; init; }

    public int? TotalCount { get; init; }
}

/// <summary>Who the token this client sends speaks for (its claims, unverified: the server verifies them).</summary>
public sealed record Identity(string IamId, string AccountId, string SubjectType, string? Subject, string? ApiKeyId);
