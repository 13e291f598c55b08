namespace Tessera.Model;

/// <summary>An API key as stored: the secret itself is never kept, only its hash.</summary>
public sealed record ApiKey(string Id, string IamId, string AccountId, string Name, string Hash, DateTimeOffset CreatedAt);
