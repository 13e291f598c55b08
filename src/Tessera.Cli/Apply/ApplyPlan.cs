using System.Text.Json;
using Tessera.Client.Models;

namespace Tessera.Cli.Apply;

/// <summary>
/// What <c>apply</c> will do: the file's authorizations the account lacks (create), those it has (unchanged), and — with
/// <c>--prune</c> — the account's authorizations the file does not list (delete). Two authorizations are the same when
/// their subject attributes, resource attributes (each with its operator) and roles are, whatever their order or
/// description: the identity IBM gives a policy, so a second apply of the same file finds everything unchanged.
/// Authorizations a service created by delegation (created by a CRN, R10) are the service's to manage: prune keeps them.
/// </summary>
internal sealed record ApplyPlan(IReadOnlyList<PolicyV2> Create, IReadOnlyList<PolicyV2> Unchanged, IReadOnlyList<PolicyV2> Delete, int KeptDelegated)
{
    public static ApplyPlan Of(IReadOnlyList<PolicyV2> desired, IReadOnlyList<PolicyV2> existing, bool prune)
    {
        var existingByKey = new Dictionary<string, PolicyV2>(StringComparer.Ordinal);
        foreach (var policy in existing)
            existingByKey.TryAdd(Key(policy), policy);

        var create = new List<PolicyV2>();
        var unchanged = new List<PolicyV2>();
        var wanted = new HashSet<string>(StringComparer.Ordinal);
        foreach (var policy in desired)
        {
            var key = Key(policy);
            if (!wanted.Add(key))
                continue; // listed twice: one authorization
            if (existingByKey.TryGetValue(key, out var found))
                unchanged.Add(found);
            else
                create.Add(policy);
        }
        var stale = prune ? existing.Where(p => !wanted.Contains(Key(p))).ToList() : [];
        var delegated = stale.Count(IsDelegated);
        return new ApplyPlan(create, unchanged, [.. stale.Where(p => !IsDelegated(p))], delegated);
    }

    public bool ChangesNothing => Create.Count == 0 && Delete.Count == 0;

    private static bool IsDelegated(PolicyV2 policy) => policy.CreatedById?.StartsWith("crn:", StringComparison.Ordinal) == true;

    private static string Key(PolicyV2 policy) =>
        string.Join('\n',
            string.Join('\t', policy.Subject.Attributes.Select(Attribute).Order(StringComparer.Ordinal)),
            string.Join('\t', policy.Resource.Attributes.Select(Attribute).Order(StringComparer.Ordinal)),
            string.Join('\t', policy.Control.Grant.Roles.Select(r => r.RoleId).Distinct().Order(StringComparer.Ordinal)));

    private static string Attribute(V2AttributeEntry attribute) =>
        $"{attribute.Key} {attribute.Operator} {(attribute.Value.ValueKind == JsonValueKind.String ? attribute.Value.GetString() : attribute.Value.GetRawText())}";
}
