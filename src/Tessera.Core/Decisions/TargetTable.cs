namespace Tessera.Decisions;

/// <summary>The policies that name one target: an account and service, and possibly one instance of it.</summary>
internal sealed class TargetBucket(string account, string service, string? instance, ulong key)
{
    private PolicyRecord[] _records = [];

    public string Account { get; } = account;
    public string Service { get; } = service;
    public string? Instance { get; } = instance;
    public ulong Key { get; } = key;

    /// <summary>Another bucket whose key hash is the same (astronomically rare); readers then compare the key strings.</summary>
    public TargetBucket? Collision { get; set; }

    public PolicyRecord[] Records => Volatile.Read(ref _records);

    /// <summary>Writer side: replaces the array whole.</summary>
    public void SetRecords(PolicyRecord[] records) => Volatile.Write(ref _records, records);

    public bool Is(string? account, string? service, string? instance) =>
        string.Equals(Account, account, StringComparison.Ordinal) && string.Equals(Service, service, StringComparison.Ordinal)
        && string.Equals(Instance, instance, StringComparison.Ordinal);
}

/// <summary>
/// Open-addressing table from a target's key hash to its bucket: one array read finds a bucket. One writer adds
/// (entries are never removed; a bucket may become empty) and grows it by swapping in a larger array; readers take no lock.
/// </summary>
internal sealed class TargetTable
{
    private Entry[] _entries = new Entry[16];
    private int _count;

    /// <summary>
    /// The records of the target's bucket, or null. The entry carries the records array itself, so that a lookup
    /// reads the table slot and then the records, without visiting the bucket object.
    /// </summary>
    public PolicyRecord[]? Find(ulong key, string? account, string? service, string? instance)
    {
        var entries = Volatile.Read(ref _entries);
        var mask = entries.Length - 1;
        for (var i = (int)key & mask; ; i = (i + 1) & mask)
        {
            ref var entry = ref entries[i];
            var bucket = Volatile.Read(ref entry.Bucket);
            if (bucket is null)
                return null;
            if (entry.Key != key)
                continue;
            if (bucket.Collision is null)
                return Volatile.Read(ref entry.Records);
            for (var candidate = bucket; candidate is not null; candidate = candidate.Collision)
            {
                if (candidate.Is(account, service, instance))
                    return candidate.Records;
            }
            return null;
        }
    }

    /// <summary>Writer side: replaces a bucket's records, in the bucket and in its table entry.</summary>
    public void SetRecords(TargetBucket bucket, PolicyRecord[] records)
    {
        bucket.SetRecords(records);
        var mask = _entries.Length - 1;
        for (var i = (int)bucket.Key & mask; _entries[i].Bucket is not null; i = (i + 1) & mask)
        {
            if (ReferenceEquals(_entries[i].Bucket, bucket))
            {
                Volatile.Write(ref _entries[i].Records, records);
                return;
            }
        }
    }

    /// <summary>Writer side.</summary>
    public void Add(TargetBucket bucket)
    {
        if ((_count + 1) * 2 > _entries.Length)
            Grow(_entries.Length * 2);
        var mask = _entries.Length - 1;
        for (var i = (int)bucket.Key & mask; ; i = (i + 1) & mask)
        {
            var existing = _entries[i].Bucket;
            if (existing is null)
            {
                _entries[i].Key = bucket.Key;
                _entries[i].Records = bucket.Records;
                Volatile.Write(ref _entries[i].Bucket, bucket);
                _count++;
                return;
            }
            if (existing.Key == bucket.Key)
            {
                var last = existing;
                while (last.Collision is not null)
                    last = last.Collision;
                last.Collision = bucket;
                return;
            }
        }
    }

    public void EnsureCapacity(int buckets)
    {
        var size = _entries.Length;
        while (size < buckets * 2)
            size *= 2;
        if (size > _entries.Length)
            Grow(size);
    }

    private void Grow(int size)
    {
        var grown = new Entry[size];
        var mask = size - 1;
        foreach (var entry in _entries)
        {
            if (entry.Bucket is null)
                continue;
            var i = (int)entry.Key & mask;
            while (grown[i].Bucket is not null)
                i = (i + 1) & mask;
            grown[i] = entry;
        }
        Volatile.Write(ref _entries, grown);
    }

    private struct Entry
    {
        public ulong Key;
        public TargetBucket? Bucket;
        public PolicyRecord[] Records;
    }
}
