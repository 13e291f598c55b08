using System.Text.Json.Nodes;

namespace Tessera.Audit;

/// <summary>
/// One change, in the CADF shape IBM Activity Tracker uses (<c>reference/atracker-and-event-notifications.md</c> §4).
/// The store writes it in the same transaction as the change it describes (R8) and assigns <see cref="Revision"/>.
/// </summary>
public sealed record AuditEvent
{
    public required string Id { get; init; }
    public required string AccountId { get; init; }
    /// <summary><c>service.objectType.action</c>, e.g. <c>iam-am.policy.create</c>.</summary>
    public required string Action { get; init; }
    public required DateTimeOffset EventTime { get; init; }
    public required AuditInitiator Initiator { get; init; }
    public required AuditTarget Target { get; init; }
    public string Outcome { get; init; } = "success";
    public required int ReasonCode { get; init; }
    public string Severity { get; init; } = "normal";
    public required string Message { get; init; }
    /// <summary>What was asked, without secrets.</summary>
    public JsonObject? RequestData { get; init; }
    /// <summary>What was answered, without secrets.</summary>
    public JsonObject? ResponseData { get; init; }
    public long Revision { get; init; }
    /// <summary>The event's place in the store's trail: increasing in commit order, so a reader can resume after it.</summary>
    public long Sequence { get; init; }
}

public sealed record AuditInitiator(string Id, string Name, string TypeUri, string CredentialType);

public sealed record AuditTarget(string Id, string Name, string TypeUri);
