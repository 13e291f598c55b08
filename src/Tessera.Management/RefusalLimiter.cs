namespace Tessera.Management;

/// <summary>
/// At most <see cref="PerSecond"/> refusals are recorded each second; the next one recorded says how many were not.
/// Without it, anyone able to reach the port could make every unauthenticated request cost a durable write.
/// </summary>
public sealed class RefusalLimiter(TimeProvider time)
{
    public const int PerSecond = 50;
    private readonly Lock _lock = new();
    private long _second;
    private int _recorded;
    private long _suppressed;

    public bool TryAcquire(out long suppressedBefore)
    {
        var second = time.GetUtcNow().ToUnixTimeSeconds();
        lock (_lock)
        {
            if (second != _second)
                (_second, _recorded) = (second, 0);
            if (_recorded == PerSecond)
            {
                _suppressed++;
                suppressedBefore = 0;
                return false;
            }
            _recorded++;
            suppressedBefore = _suppressed;
            _suppressed = 0;
            return true;
        }
    }
}
