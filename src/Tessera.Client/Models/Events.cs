using System.Text.Json;
using System.Text.Json.Serialization;

namespace Tessera.Client.Models;

/// <summary>An audit event, in IBM Activity Tracker's (CADF) shape.</summary>
public sealed record AuditEvent : ApiObject
{
    [JsonPropertyName("id")]
    public required string Id { get; init; }
    [JsonPropertyName("eventTime")]
    public required string EventTime { get; init; }
    [JsonPropertyName("action")]
    public required string Action { get; init; }
    [JsonPropertyName("outcome")]
    public required string Outcome { get; init; }
    [JsonPropertyName("message")]
    public string? Message { get; init; }
    [JsonPropertyName("initiator")]
    public EventParty? Initiator { get; init; }
    [JsonPropertyName("target")]
    public EventParty? Target { get; init; }
    [JsonPropertyName("reason")]
    public JsonElement? Reason { get; init; }
    [JsonPropertyName("revision")]
    public long? Revision { get; init; }
}

public sealed record EventParty : ApiObject
{
    [JsonPropertyName("id")]
    public string? Id { get; init; }
    [JsonPropertyName("name")]
    public string? Name { get; init; }
    [JsonPropertyName("typeURI")]
    public string? TypeUri { get; init; }
}

public sealed record EventPage : ApiObject
{
    public int Limit { get; init; }
    public PageLink? Next { get; init; }
    public required IReadOnlyList<AuditEvent> Events { get; init; }
}

/// <summary>An event of the stream with its place in the trail (resume after it with <c>after</c>).</summary>
public sealed record StreamedEvent(long Position, AuditEvent Event);

/// <summary>Which events: an account's, narrowed by action, target and time.</summary>
public sealed record EventFilter(string AccountId)
{
    public string? Action { get; init; }
    public string? Target { get; init; }
    public DateTimeOffset? From { get; init; }
    public DateTimeOffset? To { get; init; }
}
