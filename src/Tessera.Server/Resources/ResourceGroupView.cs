namespace Tessera.Server.Resources;

internal sealed record ResourceGroupCreated(string Id, string Crn);

internal sealed record ResourceGroupView(string Id, string Crn, string AccountId, string Name, string State, bool Default, string CreatedAt, string UpdatedAt);

internal sealed record ResourceGroupList(IReadOnlyList<ResourceGroupView> Resources);
