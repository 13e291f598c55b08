using System.Diagnostics;
using System.Diagnostics.Metrics;
using Tessera.Server.Audit;
using Tessera.Storage;

namespace Tessera.Server.Observability;

/// <summary>
/// The server's instruments (System.Diagnostics.Metrics; <c>/metrics</c> exports them in Prometheus' format):
/// decisions by endpoint and outcome and their latency, the token cache, consistency-token waits, the revision this
/// node has applied and, over PostgreSQL, how far its follower is behind the database. Management writes and
/// refusals are counted by the rule book (<see cref="Management.ManagementMetrics"/>). Recording costs a few atomic
/// adds per request, off the engine's check itself; nothing is labelled by account, so the numbers say nothing about tenants.
/// </summary>
internal sealed class ServerMetrics : IDisposable
{
    public const string MeterName = "Tessera.Server";

    // Latency boundaries in seconds: decisions take microseconds to a few milliseconds.
    private static readonly double[] LatencyBuckets = [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5];

    private readonly Meter _meter = new(MeterName);
    private readonly Counter<long> _decisions;
    private readonly Histogram<double> _decisionSeconds;
    private readonly Counter<long> _tokenCache;
    private readonly Counter<long> _consistencyWaits;

    public ServerMetrics(RevisionSignal signal, IChangeFollower? follower = null)
    {
        _decisions = _meter.CreateCounter<long>("tessera.decisions", description: "Decisions answered, by endpoint and outcome");
        _decisionSeconds = _meter.CreateHistogram("tessera.decision.duration", "s", "Time to answer a decision request, by endpoint",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBuckets });
        _tokenCache = _meter.CreateCounter<long>("tessera.token.cache", description: "Bearer tokens found in the verified-token cache (hit) or verified anew (miss)");
        _consistencyWaits = _meter.CreateCounter<long>("tessera.consistency.waits",
            description: "Requests that carried a consistency token ahead of this node, by whether the node caught up in time");
        _meter.CreateObservableGauge("tessera.store.revision", () => signal.Applied, description: "The store revision this node's decisions reflect");
        if (follower is not null)
            _meter.CreateObservableGauge("tessera.follower.behind", () => follower.Behind, description: "Revisions the database is ahead of this node");
    }

    /// <summary>One decision request answered: its permits and denies, and how long it took since <paramref name="started"/>.</summary>
    public void Decided(string endpoint, int permits, int denies, long started)
    {
        var endpointTag = new KeyValuePair<string, object?>("endpoint", endpoint);
        if (permits > 0)
            _decisions.Add(permits, endpointTag, new KeyValuePair<string, object?>("outcome", "permit"));
        if (denies > 0)
            _decisions.Add(denies, endpointTag, new KeyValuePair<string, object?>("outcome", "deny"));
        if (_decisionSeconds.Enabled)
            _decisionSeconds.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, endpointTag);
    }

    public void TokenCache(bool hit) => _tokenCache.Add(1, new KeyValuePair<string, object?>("result", hit ? "hit" : "miss"));

    public void ConsistencyWait(bool caughtUp) => _consistencyWaits.Add(1, new KeyValuePair<string, object?>("outcome", caughtUp ? "caught_up" : "timed_out"));

    public void Dispose() => _meter.Dispose();
}
