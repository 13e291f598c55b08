using System.Diagnostics.CodeAnalysis;

namespace Tessera.Model;

/// <summary>
/// A Cloud Resource Name: <c>crn:v1:bluemix:public:&lt;service&gt;:&lt;region&gt;:a/&lt;account&gt;:&lt;instance&gt;:&lt;resourceType&gt;:&lt;resource&gt;</c>.
/// Empty segments are kept as empty strings so that formatting gives back exactly what was parsed.
/// </summary>
public sealed record Crn(
    string CloudName,
    string CloudType,
    string ServiceName,
    string Region,
    string Scope,
    string ServiceInstance,
    string ResourceType,
    string Resource)
{
    private const int SegmentCount = 10;

    /// <summary>The account id when the scope is <c>a/&lt;account&gt;</c>; otherwise empty.</summary>
    public string AccountId => Scope.StartsWith("a/", StringComparison.Ordinal) ? Scope[2..] : string.Empty;

    public static Crn ForInstance(string serviceName, string region, string accountId, string instanceGuid) =>
        new("bluemix", "public", serviceName, region, "a/" + accountId, instanceGuid, string.Empty, string.Empty);

    /// <summary>The service resource groups belong to, and their resource type.</summary>
    public const string ResourceController = "resource-controller";
    public const string ResourceGroupType = "resource-group";

    public static Crn ForResourceGroup(string accountId, string resourceGroupId) =>
        new("bluemix", "public", ResourceController, "global", "a/" + accountId, string.Empty, ResourceGroupType, resourceGroupId);

    public static Crn ForPolicy(string accountId, string policyId) => Of("iam-am", accountId, "policy", policyId);

    /// <summary>An account-level object of a global service, e.g. <c>crn:v1:bluemix:public:iam-identity::a/&lt;acct&gt;::serviceid:&lt;id&gt;</c>.</summary>
    public static Crn Of(string serviceName, string accountId, string resourceType, string resource) =>
        new("bluemix", "public", serviceName, string.Empty, "a/" + accountId, string.Empty, resourceType, resource);

    public static Crn Parse(string text) =>
        TryParse(text, out var crn, out var error) ? crn : throw new FormatException(error);

    /// <summary>Parses a CRN; on failure <paramref name="error"/> says which part is wrong.</summary>
    public static bool TryParse(string? text, [NotNullWhen(true)] out Crn? crn, [NotNullWhen(false)] out string? error)
    {
        crn = null;
        Span<Range> ranges = stackalloc Range[SegmentCount + 1];
        if (!TrySplit(text, ranges, out error))
            return false;
        var value = text!;
        crn = new Crn(Part(value, ranges[2]), Part(value, ranges[3]), Part(value, ranges[4]), Part(value, ranges[5]), Part(value, ranges[6]),
            Part(value, ranges[7]), Part(value, ranges[8]), Part(value, ranges[9]));
        return true;
    }

    // Empty segments cost no allocation.
    private static string Part(string text, Range range) => range.GetOffsetAndLength(text.Length).Length == 0 ? string.Empty : text[range];

    /// <summary>
    /// Checks a CRN and splits it into its ten segments without allocating (CRNs arrive with every decision request);
    /// on failure <paramref name="error"/> says which part is wrong. <paramref name="ranges"/> needs room for eleven.
    /// </summary>
    public static bool TrySplit(ReadOnlySpan<char> text, Span<Range> ranges, [NotNullWhen(false)] out string? error)
    {
        if (text.IsEmpty)
        {
            error = "a CRN must not be empty";
            return false;
        }
        var count = text.Split(ranges, ':');
        if (count != SegmentCount)
        {
            error = $"'{text}' is not a CRN: expected {SegmentCount} ':'-separated segments " +
                    $"(crn:v1:<cname>:<ctype>:<service>:<region>:<scope>:<instance>:<resource type>:<resource>), found {text.Count(':') + 1}";
            return false;
        }
        if (!text[ranges[0]].SequenceEqual("crn"))
        {
            error = $"'{text}' is not a CRN: it must start with 'crn:'";
            return false;
        }
        if (!text[ranges[1]].SequenceEqual("v1"))
        {
            error = $"'{text}' has unsupported CRN version '{text[ranges[1]]}' (only 'v1' is known)";
            return false;
        }
        if (text[ranges[2]].IsEmpty || text[ranges[3]].IsEmpty)
        {
            error = $"'{text}' is not a CRN: the cloud name and cloud type segments must not be empty";
            return false;
        }
        var scope = text[ranges[6]];
        if (scope.Length != 0 && !(scope.StartsWith("a/") || scope.StartsWith("o/") || scope.StartsWith("s/") || scope.StartsWith("p/")))
        {
            error = $"'{text}' has an invalid scope '{scope}': expected 'a/<account id>' (or o/, s/, p/)";
            return false;
        }
        if (scope.Length == 2)
        {
            error = $"'{text}' has an empty scope id after '{scope}'";
            return false;
        }
        error = null;
        return true;
    }

    /// <summary>The segment index of each part, for readers of <see cref="TrySplit"/>'s ranges.</summary>
    public static class Segment
    {
        public const int ServiceName = 4;
        public const int Region = 5;
        public const int Scope = 6;
        public const int ServiceInstance = 7;
        public const int ResourceType = 8;
        public const int Resource = 9;
    }

    public override string ToString() =>
        $"crn:v1:{CloudName}:{CloudType}:{ServiceName}:{Region}:{Scope}:{ServiceInstance}:{ResourceType}:{Resource}";

    /// <summary>Policies may name an instance by GUID or by CRN; the decision index keeps the GUID (and so must requests).</summary>
    public static string InstanceGuid(string value) =>
        value.StartsWith("crn:", StringComparison.Ordinal) && TryParse(value, out var crn, out _) && crn.ServiceInstance.Length > 0
            ? crn.ServiceInstance
            : value;

    /// <summary>The value the index compares for an attribute: an instance named by CRN compares by its GUID.</summary>
    public static string InstanceGuidOrSelf(string attributeName, string value) =>
        attributeName == Policies.AttributeNames.ServiceInstance ? InstanceGuid(value) : value;
}
