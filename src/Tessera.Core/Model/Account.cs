namespace Tessera.Model;

/// <summary>A tenant account. Its owner holds every right in it; the operator account's owner also creates accounts.</summary>
public sealed record Account(string Id, string Name, string OwnerIamId, DateTimeOffset CreatedAt, bool IsOperator = false);
