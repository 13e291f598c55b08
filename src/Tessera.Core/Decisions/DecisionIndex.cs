using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using Tessera.Model;
using Tessera.Policies;
using Tessera.Storage;

namespace Tessera.Decisions;

/// <summary>
/// The in-memory decision index. Policies are bucketed by the target they name (account and service, and the instance
/// when they name exactly one); one open-addressing table finds a bucket by a seeded hash of the request's target, so a
/// check reads a few cache lines and compares integers, never all policies nor their strings.
/// <para>
/// Each bucket is an array of inline <see cref="PolicyRecord"/>s: which request attributes the policy constrains and a
/// hash of the values it requires. A check hashes the request's attributes as it needs them and compares; a record
/// whose hash matches and whose roles carry the action is verified against the request's strings before it permits,
/// so a hash collision can cost time but never grant access.
/// </para>
/// <para>
/// Readers (<see cref="Check"/>) take no lock, do no I/O and allocate nothing; they read the published revision once
/// and consider only records visible at it. The single writer (<see cref="Apply(long, IReadOnlyList{Policy})"/>) copies just the bucket arrays it
/// changes, so a write costs the same at 1k or 1M policies. It adds new versions (invisible until published), marks
/// replaced ones as ending at its revision, publishes the revision, and then sweeps the ended versions out of their
/// arrays. A reader that started before the publish may miss a swept version; that can only be a false deny, so a deny
/// is returned only if the published revision did not move during the check (a sequence lock on the deny path).
/// </para>
/// </summary>
public sealed class DecisionIndex : IChangeSink
{
    private const int SubjectSlots = 0;
    private const int ResourceSlots = AttributeSlots.Count;
    private const int ActionNotLookedUp = -2;
    /// <summary>The service key of the bucket holding an account's policies that name no service.</summary>
    private const string AnyService = "";

    private readonly IRoleActions _roles;
    private readonly StringIds _actions = new();
    private readonly ConcurrentDictionary<int, string> _actionNames = new();
    private readonly TargetTable _targets = new();
    private readonly ConcurrentDictionary<string, CompiledPolicy> _byId = new(StringComparer.Ordinal);
    // The buckets of each target account, and the buckets holding policies of each source account (a superset: a bucket
    // stays listed after its last such policy goes), so that explanations and searches read one account's buckets.
    private readonly ConcurrentDictionary<string, TargetBucket[]> _bucketsByTargetAccount = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, TargetBucket[]> _bucketsBySourceAccount = new(StringComparer.Ordinal);
    // Writer side only.
    private readonly Dictionary<(string Account, string Service, string? Instance), TargetBucket> _bucketsByTarget = new();
    private readonly Dictionary<string, ActionSet> _actionSets = new(StringComparer.Ordinal);
    private readonly Dictionary<(string TargetService, string Role), ActionSet> _singleRoleSets = [];
    // Load only: one string instance per distinct value, so a million loaded policies share their account and service
    // names. Emptied after the load, so that later writes do not grow it forever.
    private readonly Dictionary<string, string> _strings = new(StringComparer.Ordinal);
    private readonly Lock _writeLock = new();
    private long _published;

    public DecisionIndex(IRoleActions roles) => _roles = roles;

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

            // Compile as the policies stream in, so that only the compact compiled form is kept while the rest arrives
            // (keeping a million parsed policies until the end cost more in garbage collection than the compiling);
            // then build each bucket's records and policies together, so that they sit next to each other.
            var groups = new Dictionary<(string Account, string Service, string? Instance), List<CompiledPolicy>>();
            foreach (var policy in policies)
            {
                if (policy.State != PolicyState.Active || TargetOf(policy) is not { } target)
                    continue;
                if (!groups.TryGetValue(target, out var list))
                    groups[target] = list = [];
                list.Add(Compile(policy, pool: true));
            }
            _targets.EnsureCapacity(groups.Count);
            var byTargetAccount = new Dictionary<string, List<TargetBucket>>(StringComparer.Ordinal);
            var bySourceAccount = new Dictionary<string, HashSet<TargetBucket>>(StringComparer.Ordinal);
            foreach (var (target, group) in groups)
            {
                var bucket = BucketFor(target, listUnderAccount: false);
                (CollectionsMarshal.GetValueRefOrAddDefault(byTargetAccount, target.Account, out _) ??= []).Add(bucket);
                var records = new PolicyRecord[group.Count];
                for (var i = 0; i < group.Count; i++)
                {
                    var compiled = group[i].CopyNearby();
                    records[i] = Record(compiled, visibleFrom: 0);
                    _byId[compiled.Id] = compiled;
                    (CollectionsMarshal.GetValueRefOrAddDefault(bySourceAccount, SourceAccountOf(compiled), out _) ??= []).Add(bucket);
                }
                _targets.SetRecords(bucket, records);
            }
            foreach (var (account, buckets) in byTargetAccount)
                _bucketsByTargetAccount[account] = [.. buckets];
            foreach (var (account, buckets) in bySourceAccount)
                _bucketsBySourceAccount[account] = [.. buckets];
            _strings.Clear();
            _strings.TrimExcess();
            Volatile.Write(ref _published, revision);
        }
    }

    public void Apply(ChangeSet changes) => Apply(changes.Revision, changes.Policies);

    /// <summary>Applies the policies changed by the commit of <paramref name="revision"/>, each in its new state.</summary>
    public void Apply(long revision, IReadOnlyList<Policy> changed)
    {
        lock (_writeLock)
        {
            // Changes arrive in commit order; one already reflected (e.g. by Load) is skipped.
            if (revision <= _published)
                return;
            var ended = new List<TargetBucket>();
            foreach (var policy in changed)
            {
                if (_byId.TryRemove(policy.Id, out var old))
                {
                    if (_bucketsByTarget.TryGetValue(old.Target, out var oldBucket))
                    {
                        EndRecord(oldBucket, old, revision);
                        ended.Add(oldBucket);
                    }
                }
                if (policy.State == PolicyState.Active && TargetOf(policy) is { } target)
                {
                    var compiled = Compile(policy, pool: false);
                    var bucket = BucketFor(target, listUnderAccount: true);
                    _targets.SetRecords(bucket, [.. bucket.Records, Record(compiled, visibleFrom: revision)]);
                    _byId[policy.Id] = compiled;
                    ListUnderSource(compiled, bucket);
                }
            }
            Volatile.Write(ref _published, revision);
            foreach (var bucket in ended)
                _targets.SetRecords(bucket, bucket.Records.Where(r => r.VisibleUntil == long.MaxValue).ToArray());
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
        var resource = request.Resource;
        if (resource.AccountId is null || resource.ServiceName is null)
            return Decision.Deny(DenyReason.NoPolicyForTarget);

        // Both buckets are found before either is read, so that the two table reads can miss the cache at the same time.
        var wide = _targets.Find(SeededHash.OfTarget(resource.AccountId, resource.ServiceName, null), resource.AccountId, resource.ServiceName, null);
        var narrow = resource.ServiceInstance is null
            ? null
            : _targets.Find(SeededHash.OfTarget(resource.AccountId, resource.ServiceName, resource.ServiceInstance),
                resource.AccountId, resource.ServiceName, resource.ServiceInstance);

        // Request attributes are hashed once each, and only when some record constrains them.
        var hashes = new RequestHashes(stackalloc ulong[2 * AttributeSlots.Count]);
        var action = ActionNotLookedUp;
        var anyPolicy = false;
        var scopeMatched = false;
        if (wide is not null && Scan(wide, request, revision, ref hashes, ref action, ref anyPolicy, ref scopeMatched) is { } permittedByWide)
            return new Decision(true, permittedByWide.Id, DenyReason.None);
        if (narrow is not null && Scan(narrow, request, revision, ref hashes, ref action, ref anyPolicy, ref scopeMatched) is { } permittedByInstance)
            return new Decision(true, permittedByInstance.Id, DenyReason.None);
        // Access policies may name no service ("every service in the account"). Authorizations always name one, so this
        // third read is paid only on the way to a deny.
        var accountWide = _targets.Find(SeededHash.OfTarget(resource.AccountId, AnyService, null), resource.AccountId, AnyService, null);
        if (accountWide is not null && Scan(accountWide, request, revision, ref hashes, ref action, ref anyPolicy, ref scopeMatched) is { } permittedAccountWide)
            return new Decision(true, permittedAccountWide.Id, DenyReason.None);
        return Decision.Deny(!anyPolicy ? DenyReason.NoPolicyForTarget : scopeMatched ? DenyReason.ActionNotGranted : DenyReason.NoMatchingScope);
    }

    private CompiledPolicy? Scan(PolicyRecord[] records, in DecisionRequest request, long revision,
        ref RequestHashes hashes, ref int action, ref bool anyVisible, ref bool scopeMatched)
    {
        for (var i = 0; i < records.Length; i++)
        {
            ref readonly var record = ref records[i];
            if (!record.IsVisibleAt(revision))
                continue;
            anyVisible = true;
            var complex = (record.Mask & PolicyRecord.Complex) != 0;
            if (complex ? !MatchesChecks(record.Policy.Checks, request) : hashes.Combined(record.Mask, request) != record.MatchHash)
                continue;
            scopeMatched = true;
            if (action == ActionNotLookedUp)
                action = _actions.Find(request.Action);
            // A hash match nominates the policy; its strings decide.
            if (record.Actions.Contains(action) && (complex ? MatchesAll(record.Policy, request) : record.Verifies(request)))
                return record.Policy;
        }
        return null;
    }

    /// <summary>The request's attribute hashes, computed on first use.</summary>
    private ref struct RequestHashes(Span<ulong> values)
    {
        private readonly Span<ulong> _values = values;
        private int _computed;
        private int _lastMask = -1;
        private ulong _lastCombined;

        public ulong Combined(int mask, in DecisionRequest request)
        {
            if (mask == _lastMask)
                return _lastCombined;
            var combined = 0UL;
            for (var bits = mask; bits != 0; bits &= bits - 1)
            {
                var slot = System.Numerics.BitOperations.TrailingZeroCount(bits);
                if ((_computed & (1 << slot)) == 0)
                {
                    _values[slot] = SeededHash.OfSlot(slot, slot < ResourceSlots
                        ? request.Subject.Get((AttributeSlot)slot)
                        : request.Resource.Get((AttributeSlot)(slot - ResourceSlots)));
                    _computed |= 1 << slot;
                }
                combined += _values[slot];
            }
            _lastMask = mask;
            _lastCombined = combined;
            return combined;
        }
    }

    private static bool MatchesAll(CompiledPolicy policy, in DecisionRequest request) =>
        Matches(policy.Resource, request.Resource) && Matches(policy.Subject, request.Subject);

    private static bool MatchesChecks(Constraint[] checks, in DecisionRequest request)
    {
        foreach (var constraint in checks)
        {
            var value = constraint.IsSubject ? request.Subject.Get(constraint.Slot) : request.Resource.Get(constraint.Slot);
            if (!constraint.Matches(value))
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

    public Explanation Explain(in DecisionRequest request, int maxPolicies = 5)
    {
        var decision = Check(request);
        var revision = Volatile.Read(ref _published);
        var account = request.Resource.AccountId;
        var candidates = new List<(int Score, PolicyExplanation Explanation)>();
        foreach (var policy in PoliciesIn(_bucketsByTargetAccount, account, revision))
        {
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
        foreach (var policy in PoliciesIn(_bucketsByTargetAccount, resource.AccountId, revision))
        {
            if (Matches(policy.Subject, subject) && Matches(policy.Resource, resource))
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
            var properties = scope.ToDictionary(c => c.Slot.Name(), c => c.Operator == AttributeOperator.StringEquals ? c.Value : $"{c.Operator.ToWire()}:{c.Value}");
            var key = string.Join('\u001f', scope.OrderBy(c => c.Slot).Select(c => $"{c.Slot.Name()}={properties[c.Slot.Name()]}"));
            results.TryAdd(key, new ScopeResult(key, properties));
        }
        return [.. results.Values];

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

    private void ListUnderSource(CompiledPolicy policy, TargetBucket bucket) => List(_bucketsBySourceAccount, SourceAccountOf(policy), bucket);

    /// <summary>
    /// Writer side: adds a bucket to an account's list unless it is there. Linear in the account's buckets: tens for an
    /// ordinary account; a source account with policies on a hundred thousand targets pays about 0.1 ms per write.
    /// </summary>
    private static void List(ConcurrentDictionary<string, TargetBucket[]> index, string account, TargetBucket bucket)
    {
        var buckets = index.GetValueOrDefault(account) ?? [];
        if (Array.IndexOf(buckets, bucket) < 0)
            index[account] = [.. buckets, bucket];
    }

    /// <summary>The exact account a policy's subject names; empty when it names none (such a policy is searched for every source).</summary>
    private static string SourceAccountOf(CompiledPolicy policy)
    {
        foreach (var constraint in policy.Subject)
        {
            if (constraint.Slot == AttributeSlot.AccountId && constraint.Operator == AttributeOperator.StringEquals)
                return constraint.Value;
        }
        return string.Empty;
    }

    /// <summary>The record of a compiled policy: the slots it checks beyond its bucket's key, and the hash of their values.</summary>
    private static PolicyRecord Record(CompiledPolicy policy, long visibleFrom)
    {
        var mask = 0;
        var hash = 0UL;
        foreach (var constraint in policy.Checks)
        {
            if (constraint.Operator != AttributeOperator.StringEquals)
            {
                mask |= PolicyRecord.Complex;
                continue;
            }
            var slot = (constraint.IsSubject ? SubjectSlots : ResourceSlots) + (int)constraint.Slot;
            mask |= 1 << slot;
            hash += SeededHash.OfSlot(slot, constraint.Value);
        }
        return new PolicyRecord
        {
            MatchHash = hash,
            Mask = mask,
            VisibleFrom = visibleFrom,
            VisibleUntil = long.MaxValue,
            Actions = policy.Actions,
            Policy = policy,
            Verify = (mask & PolicyRecord.Complex) == 0 ? PolicyRecord.VerifyKey(policy) : string.Empty,
        };
    }

    private static void EndRecord(TargetBucket bucket, CompiledPolicy policy, long revision)
    {
        var records = bucket.Records;
        for (var i = 0; i < records.Length; i++)
        {
            if (ReferenceEquals(records[i].Policy, policy))
                Volatile.Write(ref records[i].VisibleUntil, revision);
        }
    }

    private TargetBucket BucketFor((string Account, string Service, string? Instance) target, bool listUnderAccount)
    {
        if (_bucketsByTarget.TryGetValue(target, out var bucket))
            return bucket;
        bucket = new TargetBucket(target.Account, target.Service, target.Instance, SeededHash.OfTarget(target.Account, target.Service, target.Instance));
        _bucketsByTarget[target] = bucket;
        _targets.Add(bucket);
        if (listUnderAccount)
            List(_bucketsByTargetAccount, target.Account, bucket);
        return bucket;
    }

    /// <summary>
    /// The target a policy names exactly (account, service, instance), with <see cref="AnyService"/> when it names no
    /// service; null when it names no exact account.
    /// </summary>
    private static (string Account, string Service, string? Instance)? TargetOf(Policy policy)
    {
        string? account = null, service = null, instance = null;
        foreach (var attribute in policy.Resource)
        {
            if (attribute.Operator != AttributeOperator.StringEquals)
                continue;
            switch (attribute.Name)
            {
                case AttributeNames.AccountId: account = attribute.Value; break;
                case AttributeNames.ServiceName: service = attribute.Value; break;
                case AttributeNames.ServiceInstance: instance = InstanceGuid(attribute.Value); break;
            }
        }
        return account is null ? null : (account, service ?? AnyService, service is null ? null : instance);
    }

    private CompiledPolicy Compile(Policy policy, bool pool)
    {
        var subject = CompileSide(policy.Subject, pool, isSubject: true);
        var resource = CompileSide(policy.Resource, pool, isSubject: false);
        // The bucket guarantees what its key names (account, and the service and instance when there are ones); only
        // the rest is compared per check.
        var target = TargetOf(policy)!.Value;
        var checks = new List<Constraint>(resource.Length + subject.Length);
        foreach (var constraint in resource)
        {
            var guaranteed = constraint.Operator == AttributeOperator.StringEquals && constraint.Slot switch
            {
                AttributeSlot.AccountId => true,
                AttributeSlot.ServiceName => target.Service != AnyService,
                AttributeSlot.ServiceInstance => target.Instance is not null,
                _ => false,
            };
            if (!guaranteed)
                checks.Add(constraint);
        }
        checks.AddRange(subject);
        return new CompiledPolicy(policy.Id, pool ? Pooled(policy.AccountId) : policy.AccountId, target,
            subject, resource, [.. checks], ActionSetOf(target.Service, policy.Roles));
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
        return constraints;
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
        // Most policies have one role: look those up without building a key string (a million times during a load).
        var single = roles.Count == 1 ? (targetService, roles[0]) : default;
        if (roles.Count == 1 && _singleRoleSets.TryGetValue(single, out var singleSet))
            return singleSet;
        var key = targetService + "\n" + string.Join('\n', roles.Order(StringComparer.Ordinal));
        if (_actionSets.TryGetValue(key, out var set))
        {
            if (roles.Count == 1)
                _singleRoleSets[single] = set;
            return set;
        }
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
        set = _actionSets[key] = ActionSet.Create(ids, [.. roles]);
        if (roles.Count == 1)
            _singleRoleSets[single] = set;
        return set;
    }
}
