using System.Security.Cryptography;
using System.Text;

namespace Tessera.Policies;

/// <summary>
/// The one internal form of a policy. The v1 and v2 wire views map to and from it; the store keeps it.
/// <see cref="AccountId"/> is the owning account: the target's account for an authorization (R2).
/// </summary>
public sealed record Policy
{
    public required string Id { get; init; }
    public required PolicyType Type { get; init; }
    public required string AccountId { get; init; }
    public string? Description { get; init; }
    public required IReadOnlyList<AttributeConstraint> Subject { get; init; }
    /// <summary>Role CRNs in their canonical spelling, in the order the client gave them.</summary>
    public required IReadOnlyList<string> Roles { get; init; }
    public required IReadOnlyList<AttributeConstraint> Resource { get; init; }
    /// <summary>The v2 rule's pattern (e.g. <c>time-based-conditions:once</c>); set exactly when <see cref="Rule"/> is.</summary>
    public string? Pattern { get; init; }
    /// <summary>The v2 conditions under which the policy grants; null for a policy that always does.</summary>
    public PolicyRule? Rule { get; init; }
    public PolicyState State { get; init; } = PolicyState.Active;
    public required DateTimeOffset CreatedAt { get; init; }
    public required string CreatedById { get; init; }
    public required DateTimeOffset LastModifiedAt { get; init; }
    public required string LastModifiedById { get; init; }
    /// <summary>The store revision of the last change to this policy.</summary>
    public long Revision { get; init; }
    /// <summary>
    /// When it last permitted a decision and how often it has: not part of the policy (no write changes it, nor its
    /// ETag), filled in by the store only when a read asks for it.
    /// </summary>
    public Storage.PolicyPermits? Permits { get; init; }
    /// <summary>CouchDB-like <c>&lt;version&gt;-&lt;32 hex&gt;</c>, as IBM sends it; changes on every write.</summary>
    public string ETag { get; init; } = string.Empty;

    // Records compare lists by reference; a policy is a value, so compare its attribute and role lists by content.
    public bool Equals(Policy? other) =>
        other is not null
        && (Id, Type, AccountId, Description, State, CreatedAt, CreatedById, LastModifiedAt, LastModifiedById, Revision, ETag, Pattern)
           == (other.Id, other.Type, other.AccountId, other.Description, other.State, other.CreatedAt, other.CreatedById, other.LastModifiedAt,
               other.LastModifiedById, other.Revision, other.ETag, other.Pattern)
        && Equals(Rule, other.Rule)
        && Subject.SequenceEqual(other.Subject) && Roles.SequenceEqual(other.Roles) && Resource.SequenceEqual(other.Resource);

    public override int GetHashCode() => HashCode.Combine(Id, ETag);

    /// <summary>Whether the policy uses what only the v2 view can express: a rule, <c>stringExists</c> or an any-of operator.</summary>
    public bool UsesV2Only => Rule is not null
        || Subject.Concat(Resource).Any(a => a.Operator is AttributeOperator.StringExists || a.Operator.TakesList());

    public string? SubjectValue(string name) => Find(Subject, name);

    public string? ResourceValue(string name) => Find(Resource, name);

    /// <summary>
    /// A hash of what the policy grants, independent of attribute and role order and of operator spelling.
    /// Two active policies with the same fingerprint are duplicates (R6); the store enforces it with a unique index.
    /// </summary>
    public string Fingerprint()
    {
        var text = new StringBuilder();
        text.Append(Type.ToWire()).Append('\n');
        AppendSorted(text, Subject);
        AppendSorted(text, Resource);
        foreach (var role in Roles.Order(StringComparer.Ordinal))
            text.Append(role).Append('\n');
        if (Rule is not null)
            AppendRule(text.Append(Pattern).Append('\n'), Rule);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    public static string NewETag(int version) => $"{version}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16))}";

    /// <summary>The write count encoded in an ETag, so the next one counts on.</summary>
    public static int ETagVersion(string etag)
    {
        var dash = etag.IndexOf('-', StringComparison.Ordinal);
        return dash > 0 && int.TryParse(etag.AsSpan(0, dash), out var version) ? version : 0;
    }

    private static void AppendSorted(StringBuilder text, IReadOnlyList<AttributeConstraint> attributes)
    {
        foreach (var attribute in attributes.OrderBy(a => a.Name, StringComparer.Ordinal))
            text.Append(attribute.Name).Append('=').Append(attribute.Operator.ToWire()).Append(':').Append(attribute.Value).Append('\n');
        text.Append("--\n");
    }

    private static void AppendRule(StringBuilder text, PolicyRule rule)
    {
        switch (rule)
        {
            case RuleCondition condition:
                text.Append(condition.Key).Append(' ').Append(condition.Operator.ToWire()).Append(' ').AppendJoin(',', condition.Values).Append('\n');
                break;
            case RuleCombination combination:
                text.Append(combination.All ? "and(" : "or(").Append('\n');
                foreach (var inner in combination.Conditions)
                    AppendRule(text, inner);
                text.Append(")\n");
                break;
        }
    }

    private static string? Find(IReadOnlyList<AttributeConstraint> attributes, string name)
    {
        foreach (var attribute in attributes)
        {
            if (attribute.Name == name)
                return attribute.Value;
        }
        return null;
    }
}
