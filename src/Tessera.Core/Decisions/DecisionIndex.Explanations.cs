using System.Collections.Concurrent;
using Tessera.Policies;

namespace Tessera.Decisions;

// Off the hot path: explanations and searches scan one account's current policies and allocate.
public sealed partial class DecisionIndex
{
    /// <summary>
    /// The decision and why: a permit lists every permitting policy, a deny the nearest misses. Both are of one
    /// revision: the decision is taken at the revision the explanation reads, and the pair is kept only if no write was
    /// published meanwhile (else the writer may have swept a version the explanation needs), so an explanation never
    /// describes a later state than the decision it explains.
    /// </summary>
    public Explanation Explain(in DecisionRequest request, int maxPolicies = 5)
    {
        while (true)
        {
            var revision = Volatile.Read(ref _published);
            var decision = CheckAt(request, revision);
            var closest = ClosestPolicies(request, decision.Permit, revision, maxPolicies);
            if (Volatile.Read(ref _published) == revision)
                return new Explanation(decision, closest, revision);
        }
    }

    private List<PolicyExplanation> ClosestPolicies(in DecisionRequest request, bool permit, long revision, int maxPolicies)
    {
        var candidates = new List<(int Score, PolicyExplanation Explanation)>();
        foreach (var policy in PoliciesIn(_bucketsByTargetAccount, request.Resource.AccountId, revision))
        {
            var mismatches = new List<string>();
            Describe(policy.Subject, request.Subject, "subject", mismatches);
            Describe(policy.Resource, request.Resource, "resource", mismatches);
            if (!policy.Actions.Contains(_actions.Find(request.Action)))
                mismatches.Add($"action '{request.Action}' is not granted by its roles ({string.Join(", ", policy.Actions.RoleCrns)})");
            if (policy.Rule is { } rule && !rule.HoldsAt(_clock.GetUtcNow()))
                mismatches.Add("its time-based conditions do not hold now");
            candidates.Add((mismatches.Count, new PolicyExplanation(policy.Id, mismatches)));
        }
        var ordered = candidates.OrderBy(c => c.Score).ThenBy(c => c.Explanation.PolicyId, StringComparer.Ordinal);
        return (permit ? ordered.Where(c => c.Score == 0) : ordered.Take(maxPolicies)).Select(c => c.Explanation).ToList();
    }

    /// <summary>Every action the subject may do on the resource, by name, in ordinal order.</summary>
    public IReadOnlyList<string> SearchActions(in Attributes subject, in Attributes resource)
    {
        var revision = Volatile.Read(ref _published);
        var actions = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var policy in PoliciesIn(_bucketsByTargetAccount, resource.AccountId, revision))
        {
            if (Matches(policy.Subject, subject) && Matches(policy.Resource, resource))
            {
                foreach (var id in policy.Actions.ActionIds())
                    actions.Add(_compiler.ActionName(id));
            }
        }
        return [.. actions];
    }

    /// <summary>Every subject scope that may do <paramref name="action"/> on the resource.</summary>
    public IReadOnlyList<ScopeResult> SearchSubjects(in Attributes resource, string action) =>
        SearchScopes(resource, action, searchSubjects: true);

    /// <summary>Every resource scope on which the subject may do <paramref name="action"/>.</summary>
    public IReadOnlyList<ScopeResult> SearchResources(in Attributes subject, string action) =>
        SearchScopes(subject, action, searchSubjects: false);

    private List<ScopeResult> SearchScopes(in Attributes known, string action, bool searchSubjects)
    {
        var revision = Volatile.Read(ref _published);
        var actionId = _actions.Find(action);
        var results = new SortedDictionary<string, ScopeResult>(StringComparer.Ordinal);
        var candidates = searchSubjects
            ? PoliciesIn(_bucketsByTargetAccount, known.AccountId, revision)
            : PoliciesIn(_bucketsBySourceAccount, known.AccountId, revision).Concat(PoliciesIn(_bucketsBySourceAccount, string.Empty, revision));
        foreach (var policy in candidates)
        {
            if (!policy.Actions.Contains(actionId)
                || !Matches(searchSubjects ? policy.Resource : policy.Subject, known))
            {
                continue;
            }
            var scope = searchSubjects ? policy.Subject : policy.Resource;
            var properties = scope.ToDictionary(c => c.AttributeName, c => c.Operator == AttributeOperator.StringEquals ? c.Value : $"{c.Operator.ToWire()}:{c.Value}");
            var key = string.Join('\u001f', scope.OrderBy(c => c.Slot).ThenBy(c => c.AttributeName, StringComparer.Ordinal)
                .Select(c => $"{c.AttributeName}={properties[c.AttributeName]}"));
            results.TryAdd(key, new ScopeResult(key, properties));
        }
        return [.. results.Values];

    }

    private static void Describe(Constraint[] constraints, in Attributes side, string sideName, List<string> mismatches)
    {
        foreach (var constraint in constraints)
        {
            var actual = side.Value(constraint);
            if (!constraint.Matches(actual))
            {
                var wanted = constraint.Operator == AttributeOperator.StringEquals ? $"'{constraint.Value}'" : $"{constraint.Operator.ToWire()} '{constraint.Value}'";
                mismatches.Add(actual is null
                    ? $"{sideName} {constraint.AttributeName} is absent; the policy requires {wanted}"
                    : $"{sideName} {constraint.AttributeName} is '{actual}'; the policy requires {wanted}");
            }
        }
    }

    /// <summary>The policies visible at <paramref name="revision"/> in the buckets listed under an account.</summary>
    private static IEnumerable<CompiledPolicy> PoliciesIn(ConcurrentDictionary<string, TargetBucket[]> index, string? account, long revision)
    {
        if (account is null || !index.TryGetValue(account, out var buckets))
            yield break;
        foreach (var bucket in buckets)
        {
            foreach (var record in bucket.Records)
            {
                if (record.IsVisibleAt(revision))
                    yield return record.Policy;
            }
        }
    }
}
