using System.Collections.Concurrent;
using System.Threading.RateLimiting;
using Tessera.Management;

namespace Tessera.Server.Http;

/// <summary>
/// The decision budget of each identity, taken on the evaluation endpoints' fast lane: the same token bucket
/// (<see cref="TokenBucketRateLimiter"/>) the rate-limiting middleware would use, without the middleware, whose async
/// step around every request cost 264 B and a measurable share of the decision benchmark. Buckets are refilled together
/// by one timer (not a timer per identity), and a bucket idle for a while is dropped.
/// </summary>
internal sealed class DecisionBudgets : IDisposable
{
    private static readonly TimeSpan ForgetAfter = TimeSpan.FromMinutes(5);
    private readonly ConcurrentDictionary<string, TokenBucketRateLimiter> _buckets = new(StringComparer.Ordinal);
    private readonly TokenBucketRateLimiterOptions _options;
    private readonly ITimer _refill;

    public DecisionBudgets(RateLimitOptions limits, TimeProvider time)
    {
        var bucket = limits.Decisions.ToBucket();
        bucket.AutoReplenishment = false;
        _options = bucket;
        _refill = time.CreateTimer(_ => Refill(), null, bucket.ReplenishmentPeriod, bucket.ReplenishmentPeriod);
    }

    /// <summary>Takes one decision request from <paramref name="caller"/>'s budget; null when taken, else the refusal's lease.</summary>
    public RateLimitLease? TryTake(Caller caller)
    {
        var bucket = _buckets.GetOrAdd(caller.IamId, static (_, options) => new TokenBucketRateLimiter(options), _options);
        var lease = bucket.AttemptAcquire();
        if (lease.IsAcquired)
        {
            lease.Dispose();
            return null;
        }
        return lease;
    }

    private void Refill()
    {
        foreach (var (iamId, bucket) in _buckets)
        {
            bucket.TryReplenish();
            if (bucket.IdleDuration > ForgetAfter && _buckets.TryRemove(iamId, out var idle))
                idle.Dispose();
        }
    }

    public void Dispose()
    {
        _refill.Dispose();
        foreach (var bucket in _buckets.Values)
            bucket.Dispose();
    }
}
