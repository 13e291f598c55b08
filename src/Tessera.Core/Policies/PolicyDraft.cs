namespace Tessera.Policies;

/// <summary>A policy as a client sent it, after its JSON shape was checked and before the catalog rules are applied.</summary>
public sealed record PolicyDraft(
    PolicyType Type,
    string? Description,
    IReadOnlyList<AttributeConstraint> Subject,
    IReadOnlyList<string> RoleIds,
    IReadOnlyList<AttributeConstraint> Resource);
