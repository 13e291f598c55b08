namespace Tessera.Policies;

/// <summary>A policy as a client sent it, after its JSON shape was checked and before the catalog rules are applied.</summary>
public sealed record PolicyDraft(
    PolicyType Type,
    string? Description,
    IReadOnlyList<AttributeConstraint> Subject,
    IReadOnlyList<string> RoleIds,
    IReadOnlyList<AttributeConstraint> Resource)
{
    /// <summary>The v2 rule's pattern, as sent.</summary>
    public string? Pattern { get; init; }
    /// <summary>The v2 rule, as sent; the v1 view has none.</summary>
    public PolicyRule? Rule { get; init; }
    /// <summary>
    /// Whether it came through the v1 view, which can carry neither a rule nor the v2 operators: such a draft may not
    /// replace a policy that has them, or it would silently drop them.
    /// </summary>
    public bool IsV1 { get; init; }
}
