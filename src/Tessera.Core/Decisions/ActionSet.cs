namespace Tessera.Decisions;

/// <summary>The union of a policy's roles' actions as a bitset over action ids (Garnet's command-bitmap idea).</summary>
internal sealed class ActionSet(ulong[] bits, IReadOnlyList<string> roleCrns)
{
    public IReadOnlyList<string> RoleCrns { get; } = roleCrns;

    public bool Contains(int actionId)
    {
        var word = actionId >> 6;
        return (uint)word < (uint)bits.Length && (bits[word] & (1UL << actionId)) != 0;
    }

    public IEnumerable<int> ActionIds()
    {
        for (var word = 0; word < bits.Length; word++)
        {
            for (var bit = 0; bit < 64; bit++)
            {
                if ((bits[word] & (1UL << bit)) != 0)
                    yield return (word << 6) | bit;
            }
        }
    }

    public static ActionSet Create(IEnumerable<int> actionIds, IReadOnlyList<string> roleCrns)
    {
        var ids = actionIds.ToArray();
        var bits = new ulong[ids.Length == 0 ? 0 : (ids.Max() >> 6) + 1];
        foreach (var id in ids)
            bits[id >> 6] |= 1UL << id;
        return new ActionSet(bits, roleCrns);
    }
}
