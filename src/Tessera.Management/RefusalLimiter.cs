using System.Collections.Concurrent;

namespace Tessera.Management;

/// <summary>
/// At most <see cref="PerSecond"/> refusals are recorded each second in each trail. Without it, anyone able to reach the
/// port could make every refused request cost a durable write; with one budget for everyone, a flood aimed anywhere
/// would keep an account's own refusals out of its trail. What is not recorded is counted, and the count is written to
/// the trail that lost them (<see cref="TakeUnrecorded"/>).
/// </summary>
public sealed class RefusalLimiter(TimeProvider time)
{
    public const int PerSecond = 50;
    private const int MaxTrails = 10_000;
    private readonly ConcurrentDictionary<string, Window> _windows = new(StringComparer.Ordinal);

    /// <summary>Whether a refusal may be recorded in <paramref name="trail"/> now; if not, it is counted as unrecorded there.</summary>
    public bool TryAcquire(string trail)
    {
        var second = time.GetUtcNow().ToUnixTimeSeconds();
        if (_windows.Count >= MaxTrails && !_windows.ContainsKey(trail))
            Prune(second);
        var window = _windows.GetOrAdd(trail, static _ => new Window());
        lock (window)
        {
            if (second != window.Second)
                (window.Second, window.Recorded) = (second, 0);
            if (window.Recorded == PerSecond)
            {
                window.Unrecorded++;
                return false;
            }
            window.Recorded++;
            return true;
        }
    }

    /// <summary>The trails that lost refusals since last asked, with how many each lost; the counts start again from zero.</summary>
    public IReadOnlyList<(string Trail, long Unrecorded)> TakeUnrecorded()
    {
        var lost = new List<(string, long)>();
        foreach (var (trail, window) in _windows)
        {
            lock (window)
            {
                if (window.Unrecorded == 0)
                    continue;
                lost.Add((trail, window.Unrecorded));
                window.Unrecorded = 0;
            }
        }
        return lost;
    }

    // Many trails at once (refusals aimed at made-up accounts): forget the quiet ones, keeping their unrecorded counts.
    private void Prune(long second)
    {
        foreach (var (trail, window) in _windows)
        {
            lock (window)
            {
                if (window.Second < second && window.Unrecorded == 0)
                    _windows.TryRemove(trail, out _);
            }
        }
    }

    private sealed class Window
    {
        public long Second;
        public int Recorded;
        public long Unrecorded;
    }
}
