namespace Tessera.Decisions;

/// <summary>
/// A policy as its bucket array holds it, inline, so that scanning a bucket reads consecutive memory: which request
/// attributes it constrains (<see cref="Mask"/>), a hash of the values it requires (<see cref="MatchHash"/>), its
/// visibility and its actions. The <see cref="Policy"/> itself is read only to verify a match before permitting.
/// </summary>
internal struct PolicyRecord
{
    /// <summary>Set in <see cref="Mask"/> when a constraint is not an exact match (stringMatch, stringExists): compared the slow way.</summary>
    public const int Complex = 1 << 30;

    public ulong MatchHash;
    public long VisibleFrom;
    public long VisibleUntil;
    public int Mask;
    public ActionSet Actions;
    public CompiledPolicy Policy;
    /// <summary>Every value the policy requires, in one string (see <see cref="VerifyKey"/>), to verify a hash match in one read.</summary>
    public string Verify;

    /// <summary>
    /// The policy's exact constraints as one string: per constraint, a char for the slot (subject slots, then resource slots),
    /// a char for the value's length (values are at most 1000 characters), then the value.
    /// </summary>
    public static string VerifyKey(CompiledPolicy policy)
    {
        var key = new System.Text.StringBuilder();
        foreach (var (constraints, offset) in new[] { (policy.Subject, 0), (policy.Resource, AttributeSlots.Count) })
        {
            foreach (var constraint in constraints)
                key.Append((char)(offset + (int)constraint.Slot)).Append((char)constraint.Value.Length).Append(constraint.Value);
        }
        return key.ToString();
    }

    /// <summary>Whether the request has every value <see cref="Verify"/> requires.</summary>
    public readonly bool Verifies(in DecisionRequest request)
    {
        var key = Verify.AsSpan();
        while (!key.IsEmpty)
        {
            int slot = key[0], length = key[1];
            var value = slot < AttributeSlots.Count ? request.Subject.Get((AttributeSlot)slot) : request.Resource.Get((AttributeSlot)(slot - AttributeSlots.Count));
            if (value is null || !key.Slice(2, length).SequenceEqual(value))
                return false;
            key = key[(2 + length)..];
        }
        return true;
    }

    public readonly bool IsVisibleAt(long revision) => VisibleFrom <= revision && revision < Volatile.Read(in VisibleUntil);
}
