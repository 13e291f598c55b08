using System.Collections.Concurrent;
using Tessera.Model;
using Tessera.Policies;
using Tessera.Storage;

namespace Tessera.Decisions;

/// <summary>
/// The in-memory decision index. Policies are bucketed by the target they name (account, service, and instance when
/// they name one), so a check looks at the few policies that can apply, never at all of them.
/// <para>
/// Readers (<see cref="Check"/>) take no lock, do no I/O and allocate nothing: they read the published revision
/// once and consider only policies visible at it. The single writer (<see cref="Apply"/>) copies just the bucket
/// arrays it changes, so a write costs the same at 1k or 1M policies. It adds new versions (invisible until
/// published), marks replaced ones as ending at its revision, publishes the revision, and only then sweeps the
/// replaced versions out of their arrays. A reader that started before the publish may miss a swept version; it
/// can only be a false deny, so a deny is returned only if the published revision did not move during the check,
/// and is otherwise recomputed (a sequence lock on the deny path; a permit is always sound).
/// </para>
/// </summary>
public sealed class DecisionIndex : IPolicyChangeSink
{
    private readonly IRoleActions _roles;
    private readonly StringIds _actions = new();
    private readonly ConcurrentDictionary<int, string> _actionNames = new();
    private readonly ConcurrentDictionary<string, AccountBuckets> _accounts = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, AccountBuckets>.AlternateLookup<ReadOnlySpan<char>> _accountsBySpan;
    private readonly ConcurrentDictionary<string, CompiledPolicy> _byId = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ActionSet> _actionSets = new(StringComparer.Ordinal);
    // Load only: one string instance per distinct value, so a million loaded policies share their account and service
    // names. Emptied after the load, so that later writes do not grow it forever.
    private readonly Dictionary<string, string> _strings = new(StringComparer.Ordinal);
    private readonly Lock _writeLock = new();
    private long _published;

    public DecisionIndex(IRoleActions roles)
    {
        _roles = roles;
        _accountsBySpan = _accounts.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>The last revision whose changes every check sees.</summary>
    public long Revision => Volatile.Read(ref _published);

    /// <summary>Active policies in the index.</summary>
    public int Count => _byId.Count;

    /// <summary>Fills an empty index with the active policies of a store at <paramref name="revision"/>.</summary>
    public void Load(IEnumerable<Policy> policies, long revision)
    {
        lock (_writeLock)
        {
            if (!_byId.IsEmpty)
                throw new InvalidOperationException("Load fills an empty index; later changes go through Apply");
            // Group first, then compile bucket by bucket: each bucket's policies, constraints and strings are allocated
            // next to each other, so a check reads a few adjacent cache lines instead of scattered objects.
            var groups = new Dictionary<(string, string, string?), List<Policy>>();
            foreach (var policy in policies)
            {
                if (policy.State != PolicyState.Active)
                    continue;
                var key = (policy.ResourceValue(AttributeNames.AccountId) ?? string.Empty, policy.ResourceValue(AttributeNames.ServiceName) ?? string.Empty,
                    ExactInstance(policy));
                if (!groups.TryGetValue(key, out var list))
                    groups[key] = list = [];
                list.Add(policy);
            }
            foreach (var group in groups.Values)
            {
                var compiled = new CompiledPolicy[group.Count];
                for (var i = 0; i < group.Count; i++)
                {
                    compiled[i] = Compile(group[i], visibleFrom: 0, pool: true);
                    _byId[group[i].Id] = compiled[i];
                }
                if (BucketOf(compiled[0], create: true) is { } bucket)
                    bucket.Service.Set(bucket.Instance, compiled);
            }
            _strings.Clear();
            _strings.TrimExcess();
            Volatile.Write(ref _published, revision);
        }
    }

    public void Apply(long revision, IReadOnlyList<Policy> changed)
    {
        lock (_writeLock)
        {
            // Changes arrive in commit order; one already reflected (e.g. by Load) is skipped.
            if (revision <= _published)
                return;
            var replaced = new List<CompiledPolicy>();
            foreach (var policy in changed)
            {
                if (_byId.TryRemove(policy.Id, out var old))
                {
                    old.EndAt(revision);
                    replaced.Add(old);
                }
                if (policy.State == PolicyState.Active)
                {
                    var compiled = Compile(policy, revision, pool: false);
                    if (BucketOf(compiled, create: true) is { } bucket)
                        Rewrite(bucket, add: compiled);
                    _byId[policy.Id] = compiled;
                }
            }
            Volatile.Write(ref _published, revision);
            foreach (var old in replaced)
            {
                if (BucketOf(old, create: false) is { } oldBucket)
                    Rewrite(oldBucket, add: null);
            }
        }
    }

    /// <summary>The hot path: permit or deny, and the permitting policy. No lock, no I/O, no allocation.</summary>
    public Decision Check(in DecisionRequest request)
    {
        while (true)
        {
            var revision = Volatile.Read(ref _published);
            var decision = CheckAt(request, revision);
            // A deny computed while a write was published may have missed a version the writer swept: recompute.
            if (decision.Permit || Volatile.Read(ref _published) == revision)
                return decision;
        }
    }

    private Decision CheckAt(in DecisionRequest request, long revision)
    {
        var accountId = request.Resource.AccountId;
        if (accountId is null || !_accountsBySpan.TryGetValue(accountId.AsSpan(), out var account)
            || account.Find(request.Resource.ServiceName) is not { } service)
        {
            return Decision.Deny(DenyReason.NoPolicyForTarget);
        }

        // The action is looked up only once some policy's scope matches: most denials never need it.
        var action = ActionNotLookedUp;
        var anyPolicy = false;
        var scopeMatched = false;
        if (Scan(service.Wide, request, revision, ref action, ref anyPolicy, ref scopeMatched) is { } permittedByWide)
            return new Decision(true, permittedByWide.Id, DenyReason.None);
        if (service.ForInstance(request.Resource.ServiceInstance) is { } narrow
            && Scan(narrow, request, revision, ref action, ref anyPolicy, ref scopeMatched) is { } permittedByInstance)
        {
            return new Decision(true, permittedByInstance.Id, DenyReason.None);
        }
        return Decision.Deny(!anyPolicy ? DenyReason.NoPolicyForTarget : scopeMatched ? DenyReason.ActionNotGranted : DenyReason.NoMatchingScope);
    }

    private const int ActionNotLookedUp = -2;

    /// <summary>
    /// The decision with every permitting policy, or, when denied, the closest policies of the resource's account
    /// and what did not match in each. Off the hot path: it scans the account's policies and allocates.
    /// </summary>
    public Explanation Explain(in DecisionRequest request, int maxPolicies = 5)
    {
        var decision = Check(request);
        var revision = Volatile.Read(ref _published);
        var account = request.Resource.AccountId;
        var candidates = new List<(int Score, PolicyExplanation Explanation)>();
        foreach (var policy in _byId.Values)
        {
            if (policy.AccountId != account || !policy.IsVisibleAt(revision))
                continue;
            var mismatches = new List<string>();
            Describe(policy.Subject, request.Subject, "subject", mismatches);
            Describe(policy.Resource, request.Resource, "resource", mismatches);
            if (!policy.Actions.Contains(_actions.Find(request.Action)))
                mismatches.Add($"action '{request.Action}' is not granted by its roles ({string.Join(", ", policy.Actions.RoleCrns)})");
            candidates.Add((mismatches.Count, new PolicyExplanation(policy.Id, mismatches)));
        }
        // A permit lists every permitting policy; a deny, the nearest misses.
        var ordered = candidates.OrderBy(c => c.Score).ThenBy(c => c.Explanation.PolicyId, StringComparer.Ordinal);
        var closest = (decision.Permit ? ordered.Where(c => c.Score == 0) : ordered.Take(maxPolicies)).Select(c => c.Explanation).ToList();
        return new Explanation(decision, closest);
    }

    /// <summary>Every action the subject may do on the resource, by name, in ordinal order.</summary>
    public IReadOnlyList<string> SearchActions(in Attributes subject, in Attributes resource)
    {
        var revision = Volatile.Read(ref _published);
        var actions = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var policy in _byId.Values)
        {
            if (policy.IsVisibleAt(revision) && Matches(policy.Subject, subject) && Matches(policy.Resource, resource))
            {
                foreach (var id in policy.Actions.ActionIds())
                    actions.Add(_actionNames[id]);
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
        foreach (var policy in _byId.Values)
        {
            if (!policy.IsVisibleAt(revision) || !policy.Actions.Contains(actionId)
                || !Matches(searchSubjects ? policy.Resource : policy.Subject, known))
            {
                continue;
            }
            var scope = searchSubjects ? policy.Subject : policy.Resource;
            var properties = scope.ToDictionary(c => c.Slot.Name(), c => c.Operator == AttributeOperator.StringEquals ? c.Value : $"{c.Operator.ToWire()}:{c.Value}");
            var key = string.Join('\u001f', scope.OrderBy(c => c.Slot).Select(c => $"{c.Slot.Name()}={properties[c.Slot.Name()]}"));
            results.TryAdd(key, new ScopeResult(key, properties));
        }
        return [.. results.Values];
    }

    private CompiledPolicy? Scan(CompiledPolicy[] policies, in DecisionRequest request, long revision,
        ref int action, ref bool anyVisible, ref bool scopeMatched)
    {
        foreach (var policy in policies)
        {
            if (!policy.IsVisibleAt(revision))
                continue;
            anyVisible = true;
            if (!MatchesChecks(policy.Checks, request))
                continue;
            scopeMatched = true;
            if (action == ActionNotLookedUp)
                action = _actions.Find(request.Action);
            if (policy.Actions.Contains(action))
                return policy;
        }
        return null;
    }

    private static bool MatchesChecks(Constraint[] checks, in DecisionRequest request)
    {
        foreach (var constraint in checks)
        {
            var side = constraint.IsSubject ? request.Subject : request.Resource;
            if (!constraint.Matches(side.Get(constraint.Slot)))
                return false;
        }
        return true;
    }

    private static bool Matches(Constraint[] constraints, in Attributes side)
    {
        foreach (var constraint in constraints)
        {
            if (!constraint.Matches(side.Get(constraint.Slot)))
                return false;
        }
        return true;
    }

    private static void Describe(Constraint[] constraints, in Attributes side, string sideName, List<string> mismatches)
    {
        foreach (var constraint in constraints)
        {
            var actual = side.Get(constraint.Slot);
            if (!constraint.Matches(actual))
            {
                var wanted = constraint.Operator == AttributeOperator.StringEquals ? $"'{constraint.Value}'" : $"{constraint.Operator.ToWire()} '{constraint.Value}'";
                mismatches.Add(actual is null
                    ? $"{sideName} {constraint.Slot.Name()} is absent; the policy requires {wanted}"
                    : $"{sideName} {constraint.Slot.Name()} is '{actual}'; the policy requires {wanted}");
            }
        }
    }

    /// <summary>Replaces a bucket's array: adds <paramref name="add"/> and drops versions that have ended.</summary>
    private static void Rewrite((ServiceBuckets Service, string? Instance) bucket, CompiledPolicy? add)
    {
        var current = bucket.Service.Get(bucket.Instance);
        var kept = new List<CompiledPolicy>(current.Length + 1);
        foreach (var policy in current)
        {
            if (policy.VisibleUntil == long.MaxValue)
                kept.Add(policy);
        }
        if (add is not null)
            kept.Add(add);
        bucket.Service.Set(bucket.Instance, [.. kept]);
    }

    /// <summary>Where a policy lives: its target account and service, and its instance when it names exactly one.</summary>
    private (ServiceBuckets Service, string? Instance)? BucketOf(CompiledPolicy policy, bool create)
    {
        string? account = null, service = null, instance = null;
        foreach (var constraint in policy.Resource)
        {
            if (constraint.Operator != AttributeOperator.StringEquals)
                continue;
            switch (constraint.Slot)
            {
                case AttributeSlot.AccountId: account = constraint.Value; break;
                case AttributeSlot.ServiceName: service = constraint.Value; break;
                case AttributeSlot.ServiceInstance: instance = constraint.Value; break;
            }
        }
        if (account is null || service is null)
            return null;
        if (!create)
            return _accounts.TryGetValue(account, out var existing) && existing.Find(service) is { } found ? (found, instance) : null;
        return (_accounts.GetOrAdd(account, _ => new AccountBuckets()).GetOrAdd(service), instance);
    }

    private CompiledPolicy Compile(Policy policy, long visibleFrom, bool pool)
    {
        var subject = CompileSide(policy.Subject, pool, isSubject: true);
        var resource = CompileSide(policy.Resource, pool, isSubject: false);
        // The bucket guarantees the exact account, service and instance; only the rest is compared per check.
        var checks = resource.Where(c => c.Operator != AttributeOperator.StringEquals
                                         || c.Slot is not (AttributeSlot.AccountId or AttributeSlot.ServiceName or AttributeSlot.ServiceInstance))
            .Concat(subject).ToArray();
        var targetService = policy.ResourceValue(AttributeNames.ServiceName) ?? string.Empty;
        return new CompiledPolicy(policy.Id, pool ? Pooled(policy.AccountId) : policy.AccountId, subject, resource, checks, ActionSetOf(targetService, policy.Roles), visibleFrom);
    }

    private Constraint[] CompileSide(IReadOnlyList<AttributeConstraint> attributes, bool pool, bool isSubject)
    {
        var constraints = new Constraint[attributes.Count];
        for (var i = 0; i < attributes.Count; i++)
        {
            var attribute = attributes[i];
            // Validation admits only known attributes; an unknown one could only narrow the policy, so it is kept as a region constraint.
            if (!AttributeSlots.TryFromName(attribute.Name, out var slot))
                slot = AttributeSlot.Region;
            var value = slot == AttributeSlot.ServiceInstance ? InstanceGuid(attribute.Value) : attribute.Value;
            constraints[i] = new Constraint(slot, attribute.Operator, pool ? Pooled(value) : value, isSubject);
        }
        // Most selective first: instances and resources differ between near misses, accounts and services rarely do.
        return [.. constraints.OrderByDescending(c => c.Slot)];
    }

    /// <summary>The load's one copy of a value, made here (not taken from the parsed policy) so that it sits near its first user.</summary>
    private string Pooled(string value)
    {
        if (_strings.TryGetValue(value, out var pooled))
            return pooled;
        pooled = new string(value.AsSpan());
        _strings[pooled] = pooled;
        return pooled;
    }

    private static string? ExactInstance(Policy policy)
    {
        foreach (var attribute in policy.Resource)
        {
            if (attribute.Name == AttributeNames.ServiceInstance && attribute.Operator == AttributeOperator.StringEquals)
                return InstanceGuid(attribute.Value);
        }
        return null;
    }

    /// <summary>The value the index compares for an attribute: an instance named by CRN compares by its GUID.</summary>
    public static string InstanceGuidOrSelf(string attributeName, string value) =>
        attributeName == AttributeNames.ServiceInstance ? InstanceGuid(value) : value;

    /// <summary>Policies may name an instance by GUID or by CRN; the index keeps the GUID (and so must requests).</summary>
    public static string InstanceGuid(string value) =>
        value.StartsWith("crn:", StringComparison.Ordinal) && Crn.TryParse(value, out var crn, out _) && crn.ServiceInstance.Length > 0
            ? crn.ServiceInstance
            : value;

    private ActionSet ActionSetOf(string targetService, IReadOnlyList<string> roles)
    {
        var key = targetService + "\n" + string.Join('\n', roles.Order(StringComparer.Ordinal));
        if (_actionSets.TryGetValue(key, out var set))
            return set;
        var ids = new List<int>();
        foreach (var role in roles)
        {
            foreach (var action in _roles.ActionsOf(role, targetService) ?? [])
            {
                var id = _actions.Intern(action);
                _actionNames.TryAdd(id, action);
                ids.Add(id);
            }
        }
        return _actionSets[key] = ActionSet.Create(ids, [.. roles]);
    }

}
