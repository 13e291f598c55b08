using Tessera.Decisions;
using Tessera.Storage;

namespace Tessera.Server.Decisions;

/// <summary>
/// Writes what decisions counted (each policy's permits and its latest permit, see
/// <see cref="DecisionIndex.TakePermits"/>) to the store every <c>LastPermit:IntervalSeconds</c> (10 by default), and
/// once more when the node stops: IBM's <c>last_permit_at</c> and <c>last_permit_frequency</c>, kept off the hot path.
/// A batch the store refuses (an outage) is kept and added to the next one.
/// </summary>
internal sealed partial class PermitRecorder(DecisionIndex index, ITesseraStore store, TimeProvider time, PermitRecorderOptions options,
    ILogger<PermitRecorder> logger) : BackgroundService
{
    private readonly List<PermitTally> _taken = [];
    private readonly Dictionary<string, PolicyPermitCount> _unwritten = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>Takes the permits counted so far and writes them now (also what the tests call to see them at once).</summary>
    public async Task RecordAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            _taken.Clear();
            index.TakePermits(_taken);
            var (now, nowTick) = (time.GetUtcNow(), Environment.TickCount64);
            foreach (var tally in _taken)
            {
                var at = tally.LastPermitAt(now, nowTick);
                _unwritten[tally.PolicyId!] = _unwritten.TryGetValue(tally.PolicyId!, out var earlier)
                    ? earlier with { Count = earlier.Count + tally.Count, LastPermitAt = at > earlier.LastPermitAt ? at : earlier.LastPermitAt }
                    : new PolicyPermitCount(tally.PolicyId!, at, tally.Count);
            }
            if (_unwritten.Count == 0)
                return;
            await store.RecordPermitsAsync([.. _unwritten.Values], cancellationToken);
            _unwritten.Clear();
        }
        finally
        {
            _gate.Release();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
                await RecordQuietlyAsync(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: StopAsync records the last batch.
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await RecordQuietlyAsync(cancellationToken);
    }

    private async Task RecordQuietlyAsync(CancellationToken cancellationToken)
    {
        try
        {
            await RecordAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Kept for the next batch; a background service that throws would stop the node.
            NotRecorded(logger, _unwritten.Count, $"{ex.GetType().Name}: {ex.Message}");
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The permits of {Policies} policies were not recorded yet ({Reason}); the next batch carries them")]
    private static partial void NotRecorded(ILogger logger, int policies, string reason);
}

/// <summary>Configuration section <c>LastPermit</c>: how often decisions' permits are written to the store.</summary>
internal sealed class PermitRecorderOptions
{
    public int IntervalSeconds { get; set; } = 10;

    public TimeSpan Interval => TimeSpan.FromSeconds(IntervalSeconds);

    public static PermitRecorderOptions FromConfiguration(IConfiguration configuration)
    {
        var options = new PermitRecorderOptions();
        configuration.GetSection("LastPermit").Bind(options);
        if (options.IntervalSeconds < 1)
            throw new InvalidOperationException("LastPermit: IntervalSeconds must be at least 1");
        return options;
    }
}
