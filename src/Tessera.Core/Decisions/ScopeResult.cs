namespace Tessera.Decisions;

/// <summary>
/// A subject or resource scope found by a search, as the constraints of the policy that grants it
/// (e.g. "every atracker instance in account A"). <see cref="Key"/> orders and pages the results.
/// </summary>
public sealed record ScopeResult(string Key, IReadOnlyDictionary<string, string> Properties);
