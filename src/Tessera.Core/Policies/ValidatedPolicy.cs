namespace Tessera.Policies;

/// <summary>A draft that passed every catalog rule; roles are canonical CRNs.</summary>
public sealed record ValidatedPolicy(
    PolicyType Type,
    string? Description,
    IReadOnlyList<AttributeConstraint> Subject,
    IReadOnlyList<string> Roles,
    IReadOnlyList<AttributeConstraint> Resource)
{
    public string? Pattern { get; init; }
    public PolicyRule? Rule { get; init; }

    /// <summary>The owning account: the account of the resource (R2).</summary>
    public string AccountId => Resource.First(a => a.Name == AttributeNames.AccountId).Value;
}
