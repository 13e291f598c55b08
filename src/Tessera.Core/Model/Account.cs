namespace Tessera.Model;

/// <summary>A tenant account. Its owner holds every right in it.</summary>
public sealed record Account(string Id, string Name, string OwnerIamId, DateTimeOffset CreatedAt);
