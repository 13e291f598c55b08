namespace Tessera.Storage;

/// <summary>
/// Which audit events may leave the store: those older than <see cref="OlderThan"/>, and all but the newest
/// <see cref="KeepNewest"/>; at most <see cref="Batch"/> in one transaction.
/// </summary>
public sealed record EventRetention(DateTimeOffset? OlderThan, long? KeepNewest, int Batch = 1000);

/// <summary>An audit event as the store keeps it: its sequence number, account, CADF body (JSON) and revision.</summary>
public sealed record StoredEvent(long Sequence, string AccountId, string Body, long Revision);
