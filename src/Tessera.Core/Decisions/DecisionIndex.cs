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
/// arrays it changes, so a write costs the same at 1k or 1M policies, and publishes its revision last, so a reader
/// sees a write whole or not at all.
/// </para>
/// </summary>
public sealed class DecisionIndex : IPolicyChangeSink
{
    private const int Unresolved = -2;
    private const int NoInstance = -1;

    // A removed policy stays in its bucket this long, so that a reader that started before the removal still finds it.
    private static readonly long SweepGraceTicks = TimeSpan.FromSeconds(1).Ticks;

    private readonly IRoleActions _roles;
    private readonly TimeProvider _time;
    private readonly StringIds _values = new();
    private readonly StringIds _actions = new();
    private readonly ConcurrentDictionary<int, string> _actionNames = new();
    private readonly ConcurrentDictionary<BucketKey, CompiledPolicy[]> _buckets = new();
    private readonly ConcurrentDictionary<string, CompiledPolicy> _byId = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ActionSet> _actionSets = new(StringComparer.Ordinal);
    private readonly Lock _writeLock = new();
    private long _published;

    public DecisionIndex(IRoleActions roles, TimeProvider? time = null)
    {
        _roles = roles;
        _time = time ?? TimeProvider.System;
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
            var buckets = new Dictionary<BucketKey, List<CompiledPolicy>>();
            foreach (var policy in policies)
            {
                if (policy.State != PolicyState.Active)
                    continue;
                var (compiled, key) = Compile(policy, visibleFrom: 0);
                if (!buckets.TryGetValue(key, out var list))
                    buckets[key] = list = [];
                list.Add(compiled);
                _byId[policy.Id] = compiled;
            }
            foreach (var (key, list) in buckets)
                _buckets[key] = [.. list];
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
            var now = _time.GetUtcNow().UtcTicks;
            foreach (var policy in changed)
            {
                if (_byId.TryRemove(policy.Id, out var old))
                {
                    old.RemoveAt(revision, now);
                    var oldKey = KeyOf(old);
                    Rewrite(oldKey, add: null, now);
                }
                if (policy.State == PolicyState.Active)
                {
                    var (compiled, key) = Compile(policy, revision);
                    Rewrite(key, compiled, now);
                    _byId[policy.Id] = compiled;
                }
            }
            Volatile.Write(ref _published, revision);
        }
    }

    /// <summary>The hot path: permit or deny, and the permitting policy. No lock, no I/O, no allocation.</summary>
    public Decision Check(in DecisionRequest request)
    {
        var revision = Volatile.Read(ref _published);
        var account = _values.Find(request.Resource.AccountId);
        var service = _values.Find(request.Resource.ServiceName);
        if (account == StringIds.Missing || service == StringIds.Missing)
            return Decision.Deny(DenyReason.NoPolicyForTarget);

        var action = _actions.Find(request.Action);
        Span<int> subjectIds = stackalloc int[AttributeSlots.Count];
        Span<int> resourceIds = stackalloc int[AttributeSlots.Count];
        subjectIds.Fill(Unresolved);
        resourceIds.Fill(Unresolved);
        resourceIds[(int)AttributeSlot.AccountId] = account;
        resourceIds[(int)AttributeSlot.ServiceName] = service;

        var anyPolicy = false;
        var scopeMatched = false;
        if (_buckets.TryGetValue(new BucketKey(account, service, NoInstance), out var wide)
            && Scan(wide, request, action, revision, subjectIds, resourceIds, ref anyPolicy, ref scopeMatched) is { } permittedByWide)
        {
            return new Decision(true, permittedByWide.Id, DenyReason.None);
        }
        var instance = Resolve(resourceIds, AttributeSlot.ServiceInstance, request.Resource);
        if (instance != StringIds.Missing && _buckets.TryGetValue(new BucketKey(account, service, instance), out var narrow)
            && Scan(narrow, request, action, revision, subjectIds, resourceIds, ref anyPolicy, ref scopeMatched) is { } permittedByInstance)
        {
            return new Decision(true, permittedByInstance.Id, DenyReason.None);
        }
        return Decision.Deny(!anyPolicy ? DenyReason.NoPolicyForTarget : scopeMatched ? DenyReason.ActionNotGranted : DenyReason.NoMatchingScope);
    }

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

    private CompiledPolicy? Scan(CompiledPolicy[] policies, in DecisionRequest request, int action, long revision,
        Span<int> subjectIds, Span<int> resourceIds, ref bool anyVisible, ref bool scopeMatched)
    {
        foreach (var policy in policies)
        {
            if (!policy.IsVisibleAt(revision))
                continue;
            anyVisible = true;
            if (!Matches(policy.Resource, request.Resource, resourceIds)
                || !Matches(policy.Subject, request.Subject, subjectIds))
            {
                continue;
            }
            scopeMatched = true;
            if (policy.Actions.Contains(action))
                return policy;
        }
        return null;
    }

    private bool Matches(Constraint[] constraints, in Attributes side, Span<int> resolved)
    {
        foreach (var constraint in constraints)
        {
            var id = Resolve(resolved, constraint.Slot, side);
            if (!constraint.Matches(id, side.Get(constraint.Slot)))
                return false;
        }
        return true;
    }

    private bool Matches(Constraint[] constraints, in Attributes side)
    {
        Span<int> resolved = stackalloc int[AttributeSlots.Count];
        resolved.Fill(Unresolved);
        return Matches(constraints, side, resolved);
    }

    // Request strings are interned on first use only: most checks never read most attributes.
    private int Resolve(Span<int> resolved, AttributeSlot slot, in Attributes side)
    {
        ref var id = ref resolved[(int)slot];
        if (id == Unresolved)
            id = _values.Find(side.Get(slot));
        return id;
    }

    private void Describe(Constraint[] constraints, in Attributes side, string sideName, List<string> mismatches)
    {
        foreach (var constraint in constraints)
        {
            var actual = side.Get(constraint.Slot);
            if (!constraint.Matches(_values.Find(actual), actual))
            {
                var wanted = constraint.Operator == AttributeOperator.StringEquals ? $"'{constraint.Value}'" : $"{constraint.Operator.ToWire()} '{constraint.Value}'";
                mismatches.Add(actual is null
                    ? $"{sideName} {constraint.Slot.Name()} is absent; the policy requires {wanted}"
                    : $"{sideName} {constraint.Slot.Name()} is '{actual}'; the policy requires {wanted}");
            }
        }
    }

    /// <summary>Replaces a bucket's array: adds <paramref name="add"/> and drops policies removed longer ago than the grace period.</summary>
    private void Rewrite(BucketKey key, CompiledPolicy? add, long nowTicks)
    {
        var current = _buckets.GetValueOrDefault(key) ?? [];
        var kept = new List<CompiledPolicy>(current.Length + 1);
        foreach (var policy in current)
        {
            if (policy.VisibleUntil == long.MaxValue || nowTicks - policy.RemovedAtTicks < SweepGraceTicks)
                kept.Add(policy);
        }
        if (add is not null)
            kept.Add(add);
        if (kept.Count == 0)
            _buckets.TryRemove(key, out _);
        else
            _buckets[key] = [.. kept];
    }

    private static BucketKey KeyOf(CompiledPolicy policy)
    {
        int account = NoInstance, service = NoInstance, instance = NoInstance;
        foreach (var constraint in policy.Resource)
        {
            if (constraint.Operator != AttributeOperator.StringEquals)
                continue;
            switch (constraint.Slot)
            {
                case AttributeSlot.AccountId: account = constraint.ValueId; break;
                case AttributeSlot.ServiceName: service = constraint.ValueId; break;
                case AttributeSlot.ServiceInstance: instance = constraint.ValueId; break;
            }
        }
        return new BucketKey(account, service, instance);
    }

    private (CompiledPolicy Policy, BucketKey Key) Compile(Policy policy, long visibleFrom)
    {
        var subject = CompileSide(policy.Subject);
        var resource = CompileSide(policy.Resource);
        var targetService = policy.ResourceValue(AttributeNames.ServiceName) ?? string.Empty;
        var compiled = new CompiledPolicy(policy.Id, policy.AccountId, subject, resource, ActionSetOf(targetService, policy.Roles), visibleFrom);
        return (compiled, KeyOf(compiled));
    }

    private Constraint[] CompileSide(IReadOnlyList<AttributeConstraint> attributes)
    {
        var constraints = new List<Constraint>(attributes.Count);
        foreach (var attribute in attributes)
        {
            // Validation admits only known attributes; anything else cannot match a request, so the policy can only be narrower.
            if (!AttributeSlots.TryFromName(attribute.Name, out var slot))
                slot = AttributeSlot.Region;
            var value = slot == AttributeSlot.ServiceInstance ? InstanceGuid(attribute.Value) : attribute.Value;
            var id = attribute.Operator == AttributeOperator.StringEquals ? _values.Intern(value) : StringIds.Missing;
            constraints.Add(new Constraint(slot, attribute.Operator, id, value));
        }
        // Cheap, selective checks first: the account and service were already used to find the bucket.
        return [.. constraints.OrderByDescending(c => c.Slot)];
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

    private readonly record struct BucketKey(int Account, int Service, int Instance);
}
