namespace Tessera.Catalog;

/// <summary>"Did you mean …?": the known names closest to a misspelled one, by edit distance.</summary>
public static class NearestNames
{
    /// <summary>Up to <paramref name="count"/> of <paramref name="known"/> within a few edits of <paramref name="name"/>, nearest first.</summary>
    public static IReadOnlyList<string> To(string name, IEnumerable<string> known, int count = 3)
    {
        var limit = Math.Max(2, name.Length / 3);
        return known
            .Select(candidate => (Candidate: candidate, Distance: Distance(name, candidate)))
            .Where(c => c.Distance <= limit)
            .OrderBy(c => c.Distance).ThenBy(c => c.Candidate, StringComparer.Ordinal)
            .Take(count)
            .Select(c => c.Candidate)
            .ToList();
    }

    private static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
            previous[j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
                current[j] = Math.Min(Math.Min(current[j - 1], previous[j]) + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }
}
