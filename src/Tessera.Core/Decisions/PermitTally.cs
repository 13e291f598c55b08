namespace Tessera.Decisions;

/// <summary>
/// How many decisions one policy permitted since its permits were last taken, and when the latest was, as an
/// <see cref="Environment.TickCount64"/> of this process (turned into a time by whoever takes it).
/// </summary>
public readonly record struct PermitTally(string? PolicyId, long Count, long LastTick)
{
    public DateTimeOffset LastPermitAt(DateTimeOffset now, long nowTick) => now - TimeSpan.FromMilliseconds(nowTick - LastTick);
}
