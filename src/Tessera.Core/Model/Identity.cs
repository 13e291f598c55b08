namespace Tessera.Model;

public enum IdentityKind
{
    User,
    ServiceId,
    ServiceInstance,
}

/// <summary>
/// Who a token speaks for: a user (<c>IBMid-…</c>), a service ID (<c>iam-ServiceId-…</c>) or a service instance
/// (<c>crn-&lt;CRN&gt;</c>). A user's <see cref="Name"/> is their email address. Deleted identities are kept (their
/// events and policies name them) but can no longer authenticate.
/// </summary>
public sealed record Identity(string IamId, string AccountId, IdentityKind Kind, string Name, DateTimeOffset CreatedAt)
{
    public const string ServiceIdIamPrefix = "iam-";
    public const string InstanceIamPrefix = "crn-";

    public string? Description { get; init; }
    public bool Locked { get; init; }
    public bool Deleted { get; init; }
    public DateTimeOffset ModifiedAt { get; init; } = CreatedAt;
    /// <summary>Counts the writes; IBM's <c>entity_tag</c> and the If-Match precondition are made from it.</summary>
    public int Version { get; init; } = 1;

    /// <summary>The id IBM's APIs use: <c>ServiceId-&lt;uuid&gt;</c> for a service ID, the iam_id otherwise.</summary>
    public string Id => Kind == IdentityKind.ServiceId ? IamId[ServiceIdIamPrefix.Length..] : IamId;

    /// <summary>The token <c>sub_type</c> claim, as IBM spells it.</summary>
    public string SubType => Kind switch
    {
        IdentityKind.User => "user",
        IdentityKind.ServiceId => "ServiceId",
        _ => "CRN",
    };

    public static string ServiceIdIamId(string serviceIdId) => ServiceIdIamPrefix + serviceIdId;

    public static string InstanceIamId(string instanceCrn) => InstanceIamPrefix + instanceCrn;
}
