using System.Collections.Concurrent;

namespace Tessera.Decisions;

/// <summary>
/// Interns strings to dense integers. One writer adds; any number of readers look up by span without allocating
/// or locking (ConcurrentDictionary reads are lock-free). Ids are never reused, so a reader never sees one change meaning.
/// </summary>
internal sealed class StringIds
{
    public const int Missing = -1;

    private readonly ConcurrentDictionary<string, int> _ids = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _bySpan;

    public StringIds() => _bySpan = _ids.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>Writer side: the id of <paramref name="value"/>, adding it when new.</summary>
    public int Intern(string value) => _ids.TryGetValue(value, out var id) ? id : _ids.GetOrAdd(value, _ids.Count);

    /// <summary>Reader side: the id, or <see cref="Missing"/> for a string no policy uses (it equals nothing).</summary>
    public int Find(string? value) => value is not null && _bySpan.TryGetValue(value.AsSpan(), out var id) ? id : Missing;
}
