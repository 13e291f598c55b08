using System.CommandLine;
using System.Text.Json;
using Tessera.Client;
using Tessera.Client.Models;
using static Tessera.Cli.Commands.CommandKit;

namespace Tessera.Cli.Commands;

/// <summary>
/// <c>tessera events [--follow]</c>: the account's audit trail, oldest first; with <c>--follow</c>, then each new event as it
/// is written (the change feed), until interrupted. With <c>--output json</c> each event is one line of JSON, as a log
/// shipper reads it.
/// </summary>
internal static class EventCommands
{
    public static Command Events()
    {
        var follow = Flag("--follow", "Keep printing new events as they happen", "-f");
        var action = Text("--action", "Only events of this action, e.g. iam.policy.create", "ACTION");
        var target = Text("--target", "Only events on this target (its id or CRN)", "TARGET");
        var since = new Option<DateTimeOffset?>("--since") { Description = "Only events from this time on (ISO 8601)", HelpName = "TIME" };
        return new Command("events", "Show the account's audit trail").With(follow, action, target, since).Runs(async (run, cancellationToken) =>
        {
            var filter = new EventFilter(run.AccountId) { Action = run.Value(action), Target = run.Value(target), From = run.Value(since) };
            if (!run.Value(follow))
            {
                var events = await run.Client.ListEventsAsync(filter, cancellationToken).ToListAsync(cancellationToken);
                if (run.Out.Json)
                    run.Out.WriteJson(events, ClientJsonContext.Default.AuditEvent);
                else
                    run.Out.Table(Headers, events.Select(Row));
                return 0;
            }
            try
            {
                var first = true;
                await foreach (var streamed in run.Client.StreamEventsAsync(filter, 0, cancellationToken))
                {
                    if (run.Out.Json)
                    {
                        run.Out.Line(JsonSerializer.Serialize(streamed.Event, ClientJsonContext.Default.AuditEvent));
                        continue;
                    }
                    if (first)
                        run.Out.Line(string.Join("   ", Headers));
                    first = false;
                    run.Out.Line(string.Join("   ", Row(streamed.Event)));
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // Ctrl+C ends a follow: that is how it is meant to stop.
            }
            return 0;
        });
    }

    private static readonly string[] Headers = ["Time", "Action", "Outcome", "Initiator", "Target", "Message"];

    private static IReadOnlyList<string?> Row(AuditEvent e) =>
        [e.EventTime, e.Action, e.Outcome, e.Initiator?.Name ?? e.Initiator?.Id, e.Target?.Name ?? e.Target?.Id, e.Message];
}
