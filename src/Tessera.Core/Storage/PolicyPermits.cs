namespace Tessera.Storage;

/// <summary>When a policy last permitted a decision, and how many it has permitted (IBM's <c>format=include_last_permit</c>).</summary>
public sealed record PolicyPermits(DateTimeOffset? LastPermitAt, long Frequency)
{
    public static PolicyPermits None { get; } = new(null, 0);
}

/// <summary>Permits of one policy to add to what the store holds.</summary>
public sealed record PolicyPermitCount(string PolicyId, DateTimeOffset LastPermitAt, long Count);
