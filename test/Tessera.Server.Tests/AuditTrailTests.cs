using System.Net;
using System.Text.Json;

namespace Tessera.Server.Tests;

/// <summary>
/// R8 through the API: every change has exactly one event, failed writes have none, refused attempts are recorded as
/// critical, and the trail can be read in pages and followed as a stream without missing or repeating an event.
/// </summary>
public class AuditTrailTests(TesseraApp app) : IClassFixture<TesseraApp>
{
    [Fact]
    public async Task Answers_WriteTextAsItIs_WithoutNeedlessEscapes()
    {
        var tenant = await app.NewTenantAsync("escapes");
        const string Name = "O'Brien & <Partners> +1";
        var (status, _, _) = await tenant.Client.SendAsync(HttpMethod.Post, "/v1/serviceids", new { account_id = tenant.AccountId, name = Name });
        Assert.Equal(System.Net.HttpStatusCode.Created, status);

        var list = await tenant.Client.GetStringAsync(new Uri($"/v1/serviceids?account_id={tenant.AccountId}", UriKind.Relative));
        var events = await tenant.Client.GetStringAsync(new Uri($"/v1/events?account_id={tenant.AccountId}", UriKind.Relative));

        Assert.Contains(Name, list, StringComparison.Ordinal);
        Assert.Contains(Name, events, StringComparison.Ordinal);
        Assert.DoesNotContain("\\u00", list + events, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConcurrentWrites_HaveExactlyOneEventEach_AndRefusedOrFailedOnesNone()
    {
        var tenant = await app.NewTenantAsync("trail-concurrency");
        var before = (await tenant.Client.EventsAsync(tenant.AccountId)).Count;
        var instances = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => tenant.CreateInstanceAsync("kms")));

        // Distinct policies and repeated duplicates of one, all at once: every 201 has its event, no 409 has one.
        var requests = instances.Select(i => Policies.Authorization([$"accountId={tenant.AccountId}", "serviceName=cloud-object-storage"], [Policies.Reader],
                [$"accountId={tenant.AccountId}", "serviceName=kms", $"serviceInstance={i.Guid}"]))
            .Concat(Enumerable.Repeat(0, 12).Select(_ => Policies.AtrackerToCos(tenant.AccountId)));
        var statuses = await Task.WhenAll(requests.Select(async body => (await tenant.Client.SendAsync(HttpMethod.Post, "/v1/policies", body)).Status));

        Assert.Equal(9, statuses.Count(s => s == HttpStatusCode.Created));
        Assert.Equal(11, statuses.Count(s => s == HttpStatusCode.Conflict));
        var events = (await tenant.Client.EventsAsync(tenant.AccountId)).Skip(before).ToList();
        Assert.Equal(8 + 9, events.Count);
        Assert.Equal(9, events.Count(e => e.GetProperty("action").GetString() == "iam-am.policy.create"));
        Assert.Equal(events.Count, events.Select(e => e.GetProperty("id").GetString()).Distinct().Count());
        Assert.All(events, e => Assert.Equal("success", e.GetProperty("outcome").GetString()));
    }

    [Fact]
    public async Task RefusedAttempts_AreRecordedAsCritical_WithTheInitiator()
    {
        var tenant = await app.NewTenantAsync("trail-refusals");
        var user = await app.AddUserAsync(tenant, "nobody@trail-refusals.test");
        var kms = await tenant.CreateInstanceAsync("kms");

        var (status, _, _) = await user.Client.SendAsync(HttpMethod.Delete, $"/v2/resource_instances/{kms.Guid}");
        Assert.Equal(HttpStatusCode.NotFound, status);
        var (created, _, _) = await user.Client.SendAsync(HttpMethod.Post, "/v1/policies", Policies.AtrackerToCos(tenant.AccountId));
        Assert.Equal(HttpStatusCode.Forbidden, created);
        await app.RefusalsWrittenAsync(); // recorded after the answer

        var refused = (await tenant.Client.EventsAsync(tenant.AccountId)).Where(e => e.GetProperty("outcome").GetString() == "failure").ToList();
        Assert.Equal(["resource-controller.instance.delete", "iam-am.policy.create"], refused.Select(e => e.GetProperty("action").GetString()));
        Assert.All(refused, e =>
        {
            Assert.Equal(("critical", 403, user.IamId), (e.GetProperty("severity").GetString(), e.GetProperty("reason").GetProperty("reasonCode").GetInt32(),
                e.GetProperty("initiator").GetProperty("id").GetString()));
            Assert.EndsWith("-failure", e.GetProperty("message").GetString(), StringComparison.Ordinal);
        });

        // An unauthenticated attempt goes to the operator's trail.
        var operatorTenant = await app.OperatorAsync();
        using var anonymous = app.CreateClient();
        anonymous.DefaultRequestHeaders.Authorization = new("Bearer", "forged.token.value");
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.SendAsync(HttpMethod.Get, "/v1/serviceids?account_id=x")).Status);
        await app.RefusalsWrittenAsync();
        var unauthenticated = (await operatorTenant.Client.EventsAsync(operatorTenant.AccountId, "&action=iam-identity.token.validate")).Last();
        Assert.Equal(("critical", 401, "/v1/serviceids"), (unauthenticated.GetProperty("severity").GetString(),
            unauthenticated.GetProperty("reason").GetProperty("reasonCode").GetInt32(), unauthenticated.GetProperty("target").GetProperty("name").GetString()));
    }

    [Fact]
    public async Task TheTrail_IsPagedOldestFirst_AndFilteredByActionTargetAndTime()
    {
        var tenant = await app.NewTenantAsync("trail-pages");
        var start = DateTimeOffset.UtcNow.AddSeconds(-1);
        for (var i = 0; i < 5; i++)
            await tenant.CreateResourceGroupAsync($"g{i}");

        var seen = new List<JsonElement>();
        var next = $"/v1/events?account_id={tenant.AccountId}&limit=2";
        while (next is not null)
        {
            var (_, page, _) = await tenant.Client.SendAsync(HttpMethod.Get, next);
            seen.AddRange(page.GetProperty("events").EnumerateArray());
            next = page.TryGetProperty("next", out var link) ? new Uri(link.GetProperty("href").GetString()!).PathAndQuery : null;
        }
        var all = await tenant.Client.EventsAsync(tenant.AccountId);
        Assert.Equal(all.Select(e => e.GetProperty("id").GetString()), seen.Select(e => e.GetProperty("id").GetString()));
        Assert.Equal(all.Select(e => e.GetProperty("revision").GetInt64()).Order(), all.Select(e => e.GetProperty("revision").GetInt64()));

        var groups = await tenant.Client.EventsAsync(tenant.AccountId, "&action=resource-controller.group.create");
        Assert.Equal(5, groups.Count);
        var one = await tenant.Client.EventsAsync(tenant.AccountId, $"&target={Uri.EscapeDataString(groups[2].GetProperty("target").GetProperty("id").GetString()!)}");
        Assert.Equal(groups[2].GetProperty("id").GetString(), Assert.Single(one).GetProperty("id").GetString());
        Assert.Empty(await tenant.Client.EventsAsync(tenant.AccountId, $"&to={Uri.EscapeDataString(start.ToString("O"))}"));
        Assert.Equal(all.Count, (await tenant.Client.EventsAsync(tenant.AccountId, $"&from={Uri.EscapeDataString(start.ToString("O"))}")).Count);
    }

    [Fact]
    public async Task TheStream_ResumesAfterTheLastEventReceived_WithoutMissingOrRepeating()
    {
        var tenant = await app.NewTenantAsync("trail-stream");
        await tenant.CreateResourceGroupAsync("before");
        var received = new List<(long Id, string EventId)>();

        // First connection: read what exists (the account's creation and a group), see one live change arrive, then drop it.
        using (var first = await OpenStreamAsync(tenant, null))
        {
            received.AddRange(await ReadEventsAsync(first, 2));
            await tenant.CreateResourceGroupAsync("while connected");
            received.AddRange(await ReadEventsAsync(first, 1));
        }
        // Changes while disconnected, then resume from the last id received.
        await tenant.CreateResourceGroupAsync("while away 1");
        await tenant.CreateResourceGroupAsync("while away 2");
        using (var second = await OpenStreamAsync(tenant, received[^1].Id))
        {
            received.AddRange(await ReadEventsAsync(second, 2));
            await tenant.CreateResourceGroupAsync("after resuming");
            received.AddRange(await ReadEventsAsync(second, 1));
        }

        var trail = await tenant.Client.EventsAsync(tenant.AccountId);
        Assert.Equal(trail.Select(e => e.GetProperty("id").GetString()), received.Select(r => r.EventId));
        Assert.Equal(received.Select(r => r.Id).Order(), received.Select(r => r.Id));
    }

    private static async Task<StreamReader> OpenStreamAsync(Tenant tenant, long? lastEventId)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri($"/v1/events/stream?account_id={tenant.AccountId}", UriKind.Relative));
        if (lastEventId is { } id)
            request.Headers.Add("Last-Event-ID", id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var response = await tenant.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        return new StreamReader(await response.Content.ReadAsStreamAsync());
    }

    /// <summary>Reads <paramref name="count"/> events off a stream: each an <c>id:</c>, an <c>event:</c> and a <c>data:</c> line.</summary>
    private static async Task<List<(long Id, string EventId)>> ReadEventsAsync(StreamReader stream, int count)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var events = new List<(long, string)>();
        long? id = null;
        while (events.Count < count)
        {
            var line = await stream.ReadLineAsync(timeout.Token) ?? throw new InvalidOperationException("the stream ended");
            if (line.StartsWith("id: ", StringComparison.Ordinal))
                id = long.Parse(line[4..], System.Globalization.CultureInfo.InvariantCulture);
            else if (line.StartsWith("data: ", StringComparison.Ordinal))
                events.Add((id!.Value, JsonDocument.Parse(line[6..]).RootElement.GetProperty("id").GetString()!));
        }
        return events;
    }
}
