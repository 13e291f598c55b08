using System.Collections.Concurrent;
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
public sealed partial class DecisionIndex : IChangeSink
{
    private const int SubjectSlots = 0;
    private const int ResourceSlots = AttributeSlots.Count;
    private const int ActionNotLookedUp = -2;
    /// <summary>The service key of the bucket holding an account's policies that name no service.</summary>
    internal const string AnyService = "";

    private readonly PolicyCompiler _compiler;
    // The compiler's action ids, held here so that the read path reaches them in one load.
    private readonly StringIds _actions;
    private readonly TargetTable _targets = new();
    private readonly ConcurrentDictionary<string, CompiledPolicy> _byId = new(StringComparer.Ordinal);
    // The buckets of each target account, and the buckets holding policies of each source account (a superset: a bucket
    // stays listed after its last such policy goes), so that explanations and searches read one account's buckets.
    private readonly ConcurrentDictionary<string, TargetBucket[]> _bucketsByTargetAccount = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, TargetBucket[]> _bucketsBySourceAccount = new(StringComparer.Ordinal);
    // Writer side only.
    private readonly Dictionary<(string Account, string Service, string? Instance), TargetBucket> _bucketsByTarget = new();
    private readonly Lock _writeLock = new();
    private readonly ConcurrentQueue<PermitTally> _retiredPermits = new();
    // What a policy's rule is decided against; read only when a policy that has one would permit.
    private readonly TimeProvider _clock;
    private long _published;

    public DecisionIndex(IRoleActions roles, TimeProvider? clock = null)
    {
        _compiler = new PolicyCompiler(roles);
        _actions = _compiler.Actions;
        _clock = clock ?? TimeProvider.System;
    }

    /// <summary>The last revision whose changes every check sees.</summary>
    public long Revision => Volatile.Read(ref _published);

    /// <summary>Active policies in the index.</summary>
    public int Count => _byId.Count;

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
        var nearest = DenyReason.NoMatchingScope;
        if (wide is not null && Scan(wide, request, revision, ref hashes, ref action, ref anyPolicy, ref nearest) is { } permittedByWide)
            return new Decision(true, permittedByWide.Id, DenyReason.None);
        if (narrow is not null && Scan(narrow, request, revision, ref hashes, ref action, ref anyPolicy, ref nearest) is { } permittedByInstance)
            return new Decision(true, permittedByInstance.Id, DenyReason.None);
        // Access policies may name no service ("every service in the account"). Authorizations always name one, so this
        // third read is paid only on the way to a deny.
        var accountWide = _targets.Find(SeededHash.OfTarget(resource.AccountId, AnyService, null), resource.AccountId, AnyService, null);
        if (accountWide is not null && Scan(accountWide, request, revision, ref hashes, ref action, ref anyPolicy, ref nearest) is { } permittedAccountWide)
            return new Decision(true, permittedAccountWide.Id, DenyReason.None);
        return Decision.Deny(anyPolicy ? nearest : DenyReason.NoPolicyForTarget);
    }

    /// <summary>
    /// The first record that permits; on the way, <paramref name="nearest"/> moves from "no scope matched" to "a scope
    /// matched but not the action" to "all matched but the rule does not hold now", the deny reason a miss gets.
    /// </summary>
    private CompiledPolicy? Scan(PolicyRecord[] records, in DecisionRequest request, long revision,
        ref RequestHashes hashes, ref int action, ref bool anyVisible, ref DenyReason nearest)
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
            if (nearest == DenyReason.NoMatchingScope)
                nearest = DenyReason.ActionNotGranted;
            if (action == ActionNotLookedUp)
                action = _actions.Find(request.Action);
            // A hash match nominates the policy; its strings decide, and then its rule, if it has one.
            if (record.Actions.Contains(action) && (complex ? MatchesAll(record.Policy, request) : record.Verifies(request)))
            {
                if (record.Policy.Rule is not { } rule || rule.HoldsAt(_clock.GetUtcNow()))
                {
                    record.Policy.NotePermit();
                    return record.Policy;
                }
                nearest = DenyReason.OutsideItsConditions;
            }
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
            var value = constraint.IsSubject ? request.Subject.Value(constraint) : request.Resource.Value(constraint);
            if (!constraint.Matches(value))
                return false;
        }
        return true;
    }

    private static bool Matches(Constraint[] constraints, in Attributes side)
    {
        foreach (var constraint in constraints)
        {
            if (!constraint.Matches(side.Value(constraint)))
                return false;
        }
        return true;
    }
}
