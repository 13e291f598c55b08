namespace Tessera.Model;

public enum IdentityKind
{
    User,
    ServiceId,
    ServiceInstance,
}

/// <summary>Who a token speaks for: a user (<c>IBMid-…</c>), a service ID (<c>iam-ServiceId-…</c>) or a service instance (<c>crn-&lt;CRN&gt;</c>).</summary>
public sealed record Identity(string IamId, string AccountId, IdentityKind Kind, string Name, DateTimeOffset CreatedAt)
{
    /// <summary>The token <c>sub_type</c> claim, as IBM spells it.</summary>
    public string SubType => Kind switch
    {
        IdentityKind.User => "user",
        IdentityKind.ServiceId => "ServiceId",
        _ => "CRN",
    };
}
