using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using Tessera.Model;
using Tessera.Policies;
using Tessera.Storage;

namespace Tessera.Decisions;

// The single writer: loading, applying change sets in revision order, and the bucket bookkeeping behind them.
public sealed partial class DecisionIndex
{
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
                list.Add(_compiler.Compile(policy, target, pool: true));
            }
            _targets.EnsureCapacity(groups.Count);
            var byTargetAccount = new Dictionary<string, List<TargetBucket>>(StringComparer.Ordinal);
            var bySourceAccount = new Dictionary<string, HashSet<TargetBucket>>(StringComparer.Ordinal);
            foreach (var (target, group) in groups)
            {
                var bucket = BucketFor(target, listUnder: null);
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
            _compiler.EndLoad();
            Volatile.Write(ref _published, revision);
        }
    }

    public void Apply(ChangeSet changes) => Apply(changes.Revision, changes.Policies);

    /// <summary>
    /// Off the hot path: every policy's permits since the last take (see <see cref="CompiledPolicy.NotePermit"/>), and
    /// those of versions replaced or removed since. A permit counted by a check that still held a replaced version after
    /// its take is lost: at most the permits of one moment per write.
    /// </summary>
    public void TakePermits(List<PermitTally> into)
    {
        while (_retiredPermits.TryDequeue(out var retired))
            into.Add(retired);
        foreach (var policy in _byId.Values)
        {
            if (policy.TakePermits() is { Count: > 0 } tally)
                into.Add(tally);
        }
    }

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
                    // Its permits so far are still to be recorded, whatever becomes of the policy.
                    if (old.TakePermits() is { Count: > 0 } pending)
                        _retiredPermits.Enqueue(pending);
                    if (_bucketsByTarget.TryGetValue(old.Target, out var oldBucket))
                    {
                        EndRecord(oldBucket, old, revision);
                        ended.Add(oldBucket);
                    }
                }
                if (policy.State == PolicyState.Active && TargetOf(policy) is { } target)
                {
                    var compiled = _compiler.Compile(policy, target, pool: false);
                    var bucket = BucketFor(target, _newUnderTargetAccount);
                    _targets.SetRecords(bucket, [.. bucket.Records, Record(compiled, visibleFrom: revision)]);
                    _byId[policy.Id] = compiled;
                    _newUnderSourceAccount.Add(SourceAccountOf(compiled), bucket);
                }
            }
            _newUnderTargetAccount.PublishTo(_bucketsByTargetAccount);
            _newUnderSourceAccount.PublishTo(_bucketsBySourceAccount);
            Volatile.Write(ref _published, revision);
            foreach (var bucket in ended)
                _targets.SetRecords(bucket, bucket.Records.Where(r => r.VisibleUntil == long.MaxValue).ToArray());
        }
    }

    // Kept from write to write (the writer holds _writeLock), so that a write allocates no bookkeeping of its own.
    private readonly AccountLists _newUnderTargetAccount = new();
    private readonly AccountLists _newUnderSourceAccount = new();

    /// <summary>
    /// Writer side: the buckets one write adds to the per-account lists, merged into each account's list once, at the
    /// end of the write. Linear in the account's buckets per write, not per policy: a batch of 500 creates on new targets
    /// of one account (what <c>tessera apply</c> sends) copied that account's list 500 times when each policy added itself.
    /// </summary>
    private sealed class AccountLists
    {
        private readonly Dictionary<string, List<TargetBucket>> _added = new(StringComparer.Ordinal);
        private readonly Stack<List<TargetBucket>> _spare = new();

        public void Add(string account, TargetBucket bucket) =>
            (CollectionsMarshal.GetValueRefOrAddDefault(_added, account, out _) ??= _spare.Count > 0 ? _spare.Pop() : []).Add(bucket);

        public void PublishTo(ConcurrentDictionary<string, TargetBucket[]> index)
        {
            foreach (var (account, added) in _added)
            {
                if (Merged(index.GetValueOrDefault(account) ?? [], added) is { } merged)
                    index[account] = merged;
                added.Clear();
                _spare.Push(added);
            }
            _added.Clear();
        }

        // The list with the added buckets it lacks appended, each once, in the order added; null when it lacks none. A
        // write of a few policies compares references along the list, as one policy always did; a large one looks each
        // listed bucket up in a set of the added ones.
        private static TargetBucket[]? Merged(TargetBucket[] listed, List<TargetBucket> added)
        {
            if (added.Count > 8)
            {
                var unlisted = new HashSet<TargetBucket>(added, ReferenceEqualityComparer.Instance);
                foreach (var bucket in listed)
                    unlisted.Remove(bucket);
                return unlisted.Count == 0 ? null : [.. listed, .. added.Where(unlisted.Remove)];
            }
            var fresh = 0;
            for (var i = 0; i < added.Count; i++)
            {
                if (IsFresh(listed, added, i))
                    fresh++;
            }
            if (fresh == 0)
                return null;
            var merged = new TargetBucket[listed.Length + fresh];
            listed.CopyTo(merged, 0);
            var next = listed.Length;
            for (var i = 0; i < added.Count; i++)
            {
                if (IsFresh(listed, added, i))
                    merged[next++] = added[i];
            }
            return merged;
        }

        private static bool IsFresh(TargetBucket[] listed, List<TargetBucket> added, int i) =>
            added.IndexOf(added[i]) == i && Array.IndexOf(listed, added[i]) < 0;
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
            if (constraint.Operator != AttributeOperator.StringEquals || constraint.Slot == AttributeSlot.ServiceDefined)
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

    private TargetBucket BucketFor((string Account, string Service, string? Instance) target, AccountLists? listUnder)
    {
        if (_bucketsByTarget.TryGetValue(target, out var bucket))
            return bucket;
        bucket = new TargetBucket(target.Account, target.Service, target.Instance, SeededHash.OfTarget(target.Account, target.Service, target.Instance));
        _bucketsByTarget[target] = bucket;
        _targets.Add(bucket);
        listUnder?.Add(target.Account, bucket);
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
                case AttributeNames.ServiceInstance: instance = Crn.InstanceGuid(attribute.Value); break;
            }
        }
        return account is null ? null : (account, service ?? AnyService, service is null ? null : instance);
    }
}
