namespace Tessera.Model;

/// <summary>
/// A provisioned instance of a catalog service. Grants bind to its immutable <see cref="Guid"/>, so a new instance
/// with the same name never inherits the grants of a removed one (R7).
/// </summary>
public sealed record ServiceInstance
{
    public required string Guid { get; init; }
    public required string AccountId { get; init; }
    public required string ServiceName { get; init; }
    public required string Region { get; init; }
    public required string Name { get; init; }
    public required string ResourceGroupId { get; init; }
    public required string PlanId { get; init; }
    public bool Removed { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public required string CreatedBy { get; init; }
    public DateTimeOffset? DeletedAt { get; init; }
    public string? DeletedBy { get; init; }
    /// <summary>The store revision of the last change to this instance.</summary>
    public long Revision { get; init; }

    public string Crn => Model.Crn.ForInstance(ServiceName, Region, AccountId, Guid).ToString();

    /// <summary>The identity the instance authenticates as when it calls other services (<c>crn-&lt;CRN&gt;</c>).</summary>
    public string IamId => Identity.InstanceIamId(Crn);
}
