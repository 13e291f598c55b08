namespace Tessera.Server.Accounts;

internal sealed record CreatedApiKey(string Id, string Apikey);

internal sealed record AccountCreated(string AccountId, string Name, string OwnerIamId, string DefaultResourceGroupId, CreatedApiKey Apikey);

internal sealed record AccountView(string Id, string Name, string OwnerIamId, string CreatedAt);

internal sealed record UserView(string IamId, string Email, string AccountId, string State, string CreatedAt);

internal sealed record UserList(int TotalResults, IReadOnlyList<UserView> Resources);
