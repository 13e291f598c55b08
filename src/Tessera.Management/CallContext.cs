namespace Tessera.Management;

/// <summary>
/// One management request as the rule book sees it, whatever surface it came through (HTTP API, console, CLI server
/// side): who asks, and what the audit event records of the request — the surface's method and path (or its own
/// equivalent) and the transaction id it answers with.
/// </summary>
public sealed record CallContext(Caller Caller, string Method, string Path, string TransactionId);
