using System.Text.Json;

namespace Tessera.Client.Models;

/// <summary>IBM's policy types.</summary>
public static class PolicyTypes
{
    public const string Access = "access";
    public const string Authorization = "authorization";
}

/// <summary>
/// What both views of a policy carry: its id, type and description, and the fields the server sets (null in a body to
/// create or replace one).
/// </summary>
public abstract record PolicyBase : ApiObject
{
    public string? Id { get; init; }
    public required string Type { get; init; }
    public string? Description { get; init; }
    public string? Href { get; init; }
    public string? CreatedAt { get; init; }
    public string? CreatedById { get; init; }
    public string? LastModifiedAt { get; init; }
    public string? LastModifiedById { get; init; }
    public string? State { get; init; }
    public string? LastPermitAt { get; init; }
    public long? LastPermitFrequency { get; init; }
}

/// <summary>A policy in IBM's v1 view.</summary>
public sealed record PolicyV1 : PolicyBase
{
    public required IReadOnlyList<AttributeSet> Subjects { get; init; }
    public required IReadOnlyList<PolicyRole> Roles { get; init; }
    public required IReadOnlyList<AttributeSet> Resources { get; init; }
}

public sealed record AttributeSet : ApiObject
{
    public required IReadOnlyList<AttributeEntry> Attributes { get; init; }
}

/// <summary>A v1 attribute; <see cref="Value"/> is a string, or <c>true</c> with <c>stringExists</c>.</summary>
public sealed record AttributeEntry : ApiObject
{
    public required string Name { get; init; }
    public required JsonElement Value { get; init; }
    public string? Operator { get; init; }

    public static AttributeEntry Of(string name, string value, string? @operator = null) =>
        new() { Name = name, Value = JsonSerializer.SerializeToElement(value, ClientJsonContext.Default.String), Operator = @operator };
}

public sealed record PolicyRole : ApiObject
{
    public required string RoleId { get; init; }
    public string? DisplayName { get; init; }
    public string? Description { get; init; }
}

/// <summary>A policy in IBM's v2 view (operators on every attribute, rules, patterns).</summary>
public sealed record PolicyV2 : PolicyBase
{
    public required V2AttributeSet Subject { get; init; }
    public required V2AttributeSet Resource { get; init; }
    public string? Pattern { get; init; }
    public JsonElement? Rule { get; init; }
    public required V2Control Control { get; init; }
}

public sealed record V2AttributeSet : ApiObject
{
    public required IReadOnlyList<V2AttributeEntry> Attributes { get; init; }
}

/// <summary>A v2 attribute; <see cref="Value"/> is a string, a boolean (<c>stringExists</c>) or a list (the any-of operators).</summary>
public sealed record V2AttributeEntry : ApiObject
{
    public required string Key { get; init; }
    public required string Operator { get; init; }
    public required JsonElement Value { get; init; }
}

public sealed record V2Control : ApiObject
{
    public required V2Grant Grant { get; init; }
}

public sealed record V2Grant : ApiObject
{
    public required IReadOnlyList<PolicyRole> Roles { get; init; }
}

/// <summary>A page of policies; <see cref="Next"/> is null on the last.</summary>
public sealed record PolicyPage<TPolicy> : ApiObject
{
    public int Limit { get; init; }
    public PageLink? First { get; init; }
    public PageLink? Next { get; init; }
    public required IReadOnlyList<TPolicy> Policies { get; init; }
}

/// <summary>Policies created together (<c>POST /v2/policies/batch</c>): the request's and the answer's body.</summary>
public sealed record PolicyBatch : ApiObject
{
    public required IReadOnlyList<PolicyV2> Policies { get; init; }
}

public sealed record PageLink : ApiObject
{
    public required string Href { get; init; }
    public string? Start { get; init; }
}

/// <summary>What to list: an account's policies, narrowed as IBM's list call narrows them.</summary>
public sealed record PolicyFilter(string AccountId)
{
    public string? Type { get; init; }
    public string? ServiceName { get; init; }
    public string? SourceServiceName { get; init; }
    public string? IamId { get; init; }
    public string? AccessGroupId { get; init; }
    public string? State { get; init; }
    public string? Sort { get; init; }
    public string? Format { get; init; }
    /// <summary>Policies per request (1–100) while listing page by page; null asks for the whole list at once.</summary>
    public int? PageSize { get; init; }
}

/// <summary>IBM's <c>RoleList</c>: the roles of a service, or those a source → target pair supports.</summary>
public sealed record RoleList : ApiObject
{
    public required IReadOnlyList<Role> CustomRoles { get; init; }
    public required IReadOnlyList<Role> ServiceRoles { get; init; }
    public required IReadOnlyList<Role> SystemRoles { get; init; }

    /// <summary>Every role, platform roles first (not part of the wire object).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public IEnumerable<Role> All => SystemRoles.Concat(ServiceRoles).Concat(CustomRoles);
}

public sealed record Role : ApiObject
{
    public required string DisplayName { get; init; }
    public required string Description { get; init; }
    public required IReadOnlyList<string> Actions { get; init; }
    public required string Crn { get; init; }
}

/// <summary>The service catalog.</summary>
public sealed record Catalog : ApiObject
{
    public required IReadOnlyList<CatalogRole> PlatformRoles { get; init; }
    public required IReadOnlyList<CatalogService> Services { get; init; }
}

public sealed record CatalogService : ApiObject
{
    public required string Name { get; init; }
    public required string DisplayName { get; init; }
    public required IReadOnlyList<string> ResourceTypes { get; init; }
    public required IReadOnlyList<CatalogPlan> Plans { get; init; }
    public required IReadOnlyList<CatalogRole> Roles { get; init; }
    public required IReadOnlyList<SupportedAuthorization> SupportedAuthorizations { get; init; }
}

public sealed record CatalogPlan : ApiObject
{
    public required string Id { get; init; }
    public required string Name { get; init; }
}

public sealed record CatalogRole : ApiObject
{
    public required string Name { get; init; }
    public required string DisplayName { get; init; }
    public required string Description { get; init; }
    public required string Crn { get; init; }
    public required IReadOnlyList<string> Actions { get; init; }
}

public sealed record SupportedAuthorization : ApiObject
{
    public required string SourceServiceName { get; init; }
    public required IReadOnlyList<string> Roles { get; init; }
    public required IReadOnlyList<string> ResourceTypes { get; init; }
}
