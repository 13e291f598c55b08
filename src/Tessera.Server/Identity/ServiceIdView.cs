namespace Tessera.Server.Identity;

internal sealed record ServiceIdView(
    string Id, string IamId, string EntityTag, string Crn, bool Locked, string CreatedAt, string ModifiedAt, string AccountId, string Name, string? Description);

internal sealed record ServiceIdList(int Offset, int Limit, string? Next, IReadOnlyList<ServiceIdView> Serviceids);
