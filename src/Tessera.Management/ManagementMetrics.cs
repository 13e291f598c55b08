using System.Diagnostics.Metrics;

namespace Tessera.Management;

/// <summary>
/// Counts management writes by operation and outcome (<c>tessera_management_writes_total</c> once exported), and refused
/// attempts. Instruments through <see cref="System.Diagnostics.Metrics"/>, so any exporter the host picks can read them.
/// </summary>
public sealed class ManagementMetrics : IDisposable
{
    public const string MeterName = "Tessera.Management";

    private readonly Meter _meter = new(MeterName);
    private readonly Counter<long> _writes;
    private readonly Counter<long> _refusals;

    public ManagementMetrics()
    {
        _writes = _meter.CreateCounter<long>("tessera.management.writes", description: "Management operations, by operation and outcome");
        _refusals = _meter.CreateCounter<long>("tessera.refusals", description: "Refused management attempts (403, or the 404 that hides one)");
    }

    public void Write(string operation, OutcomeKind outcome)
    {
        if (_writes.Enabled)
            _writes.Add(1, new KeyValuePair<string, object?>("operation", operation), new KeyValuePair<string, object?>("outcome", Label(outcome)));
    }

    public void Refused(string action)
    {
        if (_refusals.Enabled)
            _refusals.Add(1, new KeyValuePair<string, object?>("action", action));
    }

    private static string Label(OutcomeKind outcome) => outcome switch
    {
        OutcomeKind.Ok => "ok",
        OutcomeKind.Created => "created",
        OutcomeKind.NotFound => "not_found",
        OutcomeKind.Refused => "refused",
        OutcomeKind.Conflict => "conflict",
        OutcomeKind.Invalid => "invalid",
        OutcomeKind.PreconditionRequired => "precondition_required",
        OutcomeKind.PreconditionFailed => "precondition_failed",
        OutcomeKind.Locked => "locked",
        OutcomeKind.NotEmpty => "not_empty",
        _ => "other",
    };

    public void Dispose() => _meter.Dispose();
}
