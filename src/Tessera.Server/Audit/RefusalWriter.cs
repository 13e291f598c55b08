using Tessera.Management;

namespace Tessera.Server.Audit;

/// <summary>Runs the writer of refused attempts to the audit trail (<see cref="Refusals.RunAsync"/>) for the server's lifetime.</summary>
internal sealed class RefusalWriter(Refusals refusals) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => refusals.RunAsync(stoppingToken);
}
