using System.Collections.Concurrent;

namespace Tessera.Server.Decisions;

/// <summary>
/// The values decision requests name again and again (account ids, service names, regions, instance ids, resource
/// types and names): one copy of each, found by span, so that reading a request's CRNs allocates no strings. Bounded:
/// when full it starts over, so a caller sending endless new values costs allocations, never memory.
/// </summary>
internal sealed class RequestStrings
{
    private const int MaxEntries = 100_000;
    private readonly ConcurrentDictionary<string, string> _strings = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> _bySpan;

    public RequestStrings() => _bySpan = _strings.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>The one copy of <paramref name="value"/>; null for an empty value (an absent attribute).</summary>
    public string? Get(ReadOnlySpan<char> value)
    {
        if (value.IsEmpty)
            return null;
        if (_bySpan.TryGetValue(value, out var known))
            return known;
        if (_strings.Count >= MaxEntries)
            _strings.Clear();
        var created = value.ToString();
        _strings.TryAdd(created, created);
        return created;
    }
}
