using System.Numerics;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Tessera.Decisions;

/// <summary>
/// A fast 64-bit string hash with per-process random seeds, for the decision index's lookups. Nothing depends on it
/// being collision-free: a hash match only nominates a policy, which is verified against the request's strings before
/// it permits. Random seeds keep crafted collisions from degrading lookups.
/// </summary>
internal static class SeededHash
{
    private const ulong P1 = 0x9E3779B185EBCA87UL;
    private const ulong P2 = 0xC2B2AE3D27D4EB4FUL;
    private const ulong P3 = 0x165667B19E3779F9UL;

    /// <summary>One seed per attribute slot of each side (7 subject, 7 resource), and three for target keys.</summary>
    private static readonly ulong[] Seeds = MakeSeeds(2 * AttributeSlots.Count + 3);

    private static readonly int AccountSeed = 2 * AttributeSlots.Count;

    public static ulong OfSlot(int slotIndex, string? value) => value is null ? 0 : Hash(value, Seeds[slotIndex]);

    /// <summary>The key of a target bucket: account and service, and the instance for a bucket of one instance.</summary>
    public static ulong OfTarget(string account, string service, string? instance)
    {
        var key = Hash(account, Seeds[AccountSeed]) + BitOperations.RotateLeft(Hash(service, Seeds[AccountSeed + 1]), 21) * P3;
        if (instance is not null)
            key += BitOperations.RotateLeft(Hash(instance, Seeds[AccountSeed + 2]), 43) * P2;
        return Finish(key);
    }

    private static ulong Hash(ReadOnlySpan<char> value, ulong seed)
    {
        var h = seed ^ ((ulong)value.Length * P1);
        var blocks = MemoryMarshal.Cast<char, ulong>(value);
        foreach (var block in blocks)
            h = BitOperations.RotateLeft(h ^ (BitOperations.RotateLeft(block * P2, 31) * P1), 27) * P1 + P3;
        for (var i = blocks.Length * 4; i < value.Length; i++)
            h = BitOperations.RotateLeft(h ^ (value[i] * P3), 23) * P2;
        return Finish(h);
    }

    private static ulong Finish(ulong h)
    {
        h ^= h >> 33;
        h *= 0xFF51AFD7ED558CCDUL;
        h ^= h >> 33;
        h *= 0xC4CEB9FE1A85EC53UL;
        return h ^ (h >> 33);
    }

    private static ulong[] MakeSeeds(int count)
    {
        var seeds = new ulong[count];
        RandomNumberGenerator.Fill(MemoryMarshal.AsBytes(seeds.AsSpan()));
        return seeds;
    }
}
