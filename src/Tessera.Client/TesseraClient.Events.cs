using System.Globalization;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Tessera.Client.Models;

namespace Tessera.Client;

// The audit trail: its pages, and its stream as it grows.
public sealed partial class TesseraClient
{
    private static readonly TimeSpan ReconnectWait = TimeSpan.FromSeconds(1);

    /// <summary>Every event of the trail that matches, oldest first, all pages.</summary>
    public async IAsyncEnumerable<AuditEvent> ListEventsAsync(EventFilter filter, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        string? start = null;
        do
        {
            var page = await GetAsync(Query("v1/events", EventQuery(filter, ("limit", "1000"), ("start", start))), ClientJsonContext.Default.EventPage,
                cancellationToken);
            foreach (var auditEvent in page.Events)
                yield return auditEvent;
            start = page.Next?.Start;
        }
        while (start is not null);
    }

    /// <summary>
    /// The trail's events after <paramref name="after"/> (0: from its start), then each new one as it is written, until
    /// cancelled. A dropped connection is resumed after the last event received: none missed, none repeated.
    /// </summary>
    public async IAsyncEnumerable<StreamedEvent> StreamEventsAsync(EventFilter filter, long after = 0,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        while (true)
        {
            var path = Query("v1/events/stream", EventQuery(filter, ("after", after.ToString(CultureInfo.InvariantCulture))));
            HttpResponseMessage response;
            try
            {
                response = await SendAsync(HttpMethod.Get, path, null, cancellationToken, HttpCompletionOption.ResponseHeadersRead);
            }
            catch (HttpRequestException) when (!cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(ReconnectWait, cancellationToken);
                continue;
            }
            using (response)
            {
                var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
                await using var enumerator = SseParser.Create(stream).EnumerateAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);
                while (await NextOrDroppedAsync(enumerator, cancellationToken))
                {
                    var item = enumerator.Current;
                    if (item.EventType != "audit" || !long.TryParse(item.EventId, NumberStyles.None, CultureInfo.InvariantCulture, out var position))
                        continue;
                    var auditEvent = JsonSerializer.Deserialize(item.Data, ClientJsonContext.Default.AuditEvent)
                                     ?? throw new InvalidDataException("The stream sent an empty event.");
                    after = position;
                    yield return new StreamedEvent(position, auditEvent);
                }
            }
            await Task.Delay(ReconnectWait, cancellationToken);
        }
    }

    // False at the end of the stream or when the connection drops (the caller reconnects); cancellation still throws.
    private static async ValueTask<bool> NextOrDroppedAsync(IAsyncEnumerator<SseItem<string>> enumerator, CancellationToken cancellationToken)
    {
        try
        {
            return await enumerator.MoveNextAsync();
        }
        catch (Exception e) when (e is IOException or HttpRequestException && !cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    private static (string, string?)[] EventQuery(EventFilter filter, params (string, string?)[] more) =>
    [
        ("account_id", filter.AccountId), ("action", filter.Action), ("target", filter.Target),
        ("from", filter.From?.ToString("O", CultureInfo.InvariantCulture)), ("to", filter.To?.ToString("O", CultureInfo.InvariantCulture)), .. more,
    ];
}
