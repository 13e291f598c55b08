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

    public static Crn ForResourceGroup(string accountId, string resourceGroupId) =>
        new("bluemix", "public", "resource-controller", "global", "a/" + accountId, string.Empty, "resource-group", resourceGroupId);

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
        if (string.IsNullOrEmpty(text))
        {
            error = "a CRN must not be empty";
            return false;
        }

        // Split without allocating the array of ten: CRNs arrive with every decision request.
        Span<Range> ranges = stackalloc Range[SegmentCount + 1];
        var count = text.AsSpan().Split(ranges, ':');
        if (count != SegmentCount)
        {
            error = $"'{text}' is not a CRN: expected {SegmentCount} ':'-separated segments " +
                    "(crn:v1:<cname>:<ctype>:<service>:<region>:<scope>:<instance>:<resource type>:<resource>), found " + text.Split(':').Length;
            return false;
        }
        var parts = new PartReader(text, ranges);

        if (parts[0] != "crn")
        {
            error = $"'{text}' is not a CRN: it must start with 'crn:'";
            return false;
        }

        if (parts[1] != "v1")
        {
            error = $"'{text}' has unsupported CRN version '{parts[1]}' (only 'v1' is known)";
            return false;
        }

        if (parts[2].Length == 0 || parts[3].Length == 0)
        {
            error = $"'{text}' is not a CRN: the cloud name and cloud type segments must not be empty";
            return false;
        }

        var scope = parts[6];
        if (scope.Length != 0 && !(scope.StartsWith("a/", StringComparison.Ordinal) || scope.StartsWith("o/", StringComparison.Ordinal)
                                   || scope.StartsWith("s/", StringComparison.Ordinal) || scope.StartsWith("p/", StringComparison.Ordinal)))
        {
            error = $"'{text}' has an invalid scope '{scope}': expected 'a/<account id>' (or o/, s/, p/)";
            return false;
        }

        if (scope.Length == 2)
        {
            error = $"'{text}' has an empty scope id after '{scope}'";
            return false;
        }

        crn = new Crn(parts[2], parts[3], parts[4], parts[5], scope, parts[7], parts[8], parts[9]);
        error = null;
        return true;
    }

    /// <summary>The segments of a split CRN as strings; empty segments cost no allocation.</summary>
    private readonly ref struct PartReader(string text, ReadOnlySpan<Range> ranges)
    {
        private readonly string _text = text;
        private readonly ReadOnlySpan<Range> _ranges = ranges;

        public string this[int index] => _ranges[index].GetOffsetAndLength(_text.Length).Length == 0 ? string.Empty : _text[_ranges[index]];
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
