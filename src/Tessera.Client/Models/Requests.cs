namespace Tessera.Client.Models;

// Request bodies the client's methods build from their parameters.

internal sealed record NewServiceId(string AccountId, string Name, string? Description);

internal sealed record NewApiKey(string Name, string IamId, string? Description, string? AccountId);

internal sealed record NewAccount(string Name, string OwnerEmail);

internal sealed record NewUser(string Email);

internal sealed record NewAccessGroup(string Name, string? Description);

internal sealed record NewResourceGroup(string Name, string AccountId);
