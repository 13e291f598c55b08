using System.Security.Claims;

namespace Tessera.Management;

/// <summary>The authenticated identity behind a request, taken from its verified token.</summary>
public sealed record Caller(string IamId, string AccountId, string SubType)
{
    public const string IamIdClaim = "iam_id";
    public const string AccountClaim = "account_bss";
    public const string SubTypeClaim = "sub_type";

    public static Caller From(ClaimsPrincipal user) => new(
        user.FindFirst(IamIdClaim)?.Value ?? throw new InvalidOperationException("an authenticated request has no iam_id claim"),
        user.FindFirst(AccountClaim)?.Value ?? throw new InvalidOperationException("an authenticated request has no account claim"),
        user.FindFirst(SubTypeClaim)?.Value ?? "user");

    /// <summary>The CRN of the service instance this caller is (a source service), or null for a user or service ID.</summary>
    public string? InstanceCrn => IamId.StartsWith(Model.Identity.InstanceIamPrefix, StringComparison.Ordinal) ? IamId[Model.Identity.InstanceIamPrefix.Length..] : null;

    /// <summary>The CADF initiator type of this caller.</summary>
    public string InitiatorTypeUri => SubType switch
    {
        "ServiceId" => "service/security/account/serviceid",
        "CRN" => "service/security/clientid",
        _ => "service/security/account/user",
    };
}
