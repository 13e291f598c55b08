using System.Globalization;
using System.Text;
using System.Text.Json;
using Tessera.Storage;

namespace Tessera.Server.Audit;

/// <summary>
/// The operator's retention of the audit trail (configuration section <c>Trail</c>): events older than
/// <c>RetentionDays</c>, or beyond the newest <c>MaxEvents</c>, are exported and then removed, every
/// <c>IntervalSeconds</c>. Without either setting the trail is kept whole. Exports are JSON Lines files in
/// <c>ExportDirectory</c> (the data directory's <c>trail-export</c> by default), one per batch, each line
/// <c>{"seq", "account_id", "revision", "event"}</c> with the event in its CADF form; a file is complete and on disk
/// before its events are deleted.
/// </summary>
internal sealed partial class TrailRetention(ITesseraStore store, TrailRetentionOptions options, TimeProvider time, ILogger<TrailRetention> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Enabled)
            return;
        using var timer = new PeriodicTimer(options.Interval, time);
        do
        {
            try
            {
                await PruneAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The next tick tries again; a background service that throws would stop the node.
                NotPruned(logger, $"{ex.GetType().Name}: {ex.Message}");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>Exports and removes every event that is due; returns how many.</summary>
    public async Task<int> PruneAsync(CancellationToken cancellationToken)
    {
        var retention = new EventRetention(options.RetentionDays is { } days ? time.GetUtcNow().AddDays(-days) : null, options.MaxEvents);
        var total = 0;
        int removed;
        while ((removed = await store.PruneEventsAsync(retention, ExportAsync, cancellationToken)) > 0)
            total += removed;
        if (total > 0)
            Pruned(logger, total, options.ExportDirectory);
        return total;
    }

    private async ValueTask ExportAsync(IReadOnlyList<StoredEvent> events)
    {
        Directory.CreateDirectory(options.ExportDirectory);
        var name = string.Create(CultureInfo.InvariantCulture, $"events-{events[0].Sequence:D12}-{events[^1].Sequence:D12}.jsonl");
        var path = Path.Combine(options.ExportDirectory, name);
        var partial = path + ".partial";
        await using (var file = new FileStream(partial, FileMode.Create, FileAccess.Write, FileShare.None, 64 * 1024, FileOptions.Asynchronous))
        {
            foreach (var stored in events)
            {
                var line = new StringBuilder();
                line.Append(CultureInfo.InvariantCulture, $"{{\"seq\":{stored.Sequence},\"account_id\":{JsonSerializer.Serialize(stored.AccountId, ServerJsonContext.Default.String)},");
                line.Append(CultureInfo.InvariantCulture, $"\"revision\":{stored.Revision},\"event\":{stored.Body}}}\n");
                await file.WriteAsync(Encoding.UTF8.GetBytes(line.ToString()));
            }
            // On disk before the delete commits: an acknowledged event is never in neither place.
            file.Flush(flushToDisk: true);
        }
        File.Move(partial, path, overwrite: true);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Trail retention removed {Count} events after exporting them to {Directory}")]
    private static partial void Pruned(ILogger logger, int count, string directory);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Trail retention did not run: {Reason}")]
    private static partial void NotPruned(ILogger logger, string reason);
}

/// <summary>The operator's retention settings (section <c>Trail</c>).</summary>
internal sealed class TrailRetentionOptions
{
    public int? RetentionDays { get; set; }

    public long? MaxEvents { get; set; }

    public string ExportDirectory { get; set; } = string.Empty;

    public int IntervalSeconds { get; set; } = 3600;

    public bool Enabled => RetentionDays is not null || MaxEvents is not null;

    public TimeSpan Interval => TimeSpan.FromSeconds(IntervalSeconds);

    public static TrailRetentionOptions FromConfiguration(IConfiguration configuration, string dataDirectory)
    {
        var options = new TrailRetentionOptions();
        configuration.GetSection("Trail").Bind(options);
        if (options.RetentionDays is < 1 || options.MaxEvents is < 1 || options.IntervalSeconds < 1)
            throw new InvalidOperationException("Trail: RetentionDays, MaxEvents and IntervalSeconds must be at least 1 when set");
        if (options.ExportDirectory.Length == 0)
            options.ExportDirectory = Path.Combine(dataDirectory, "trail-export");
        return options;
    }
}
