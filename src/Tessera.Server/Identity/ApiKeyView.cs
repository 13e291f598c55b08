namespace Tessera.Server.Identity;

internal sealed record ApiKeyView(
    string Id, string EntityTag, string Crn, bool Locked, bool Disabled, string CreatedAt, string CreatedBy, string ModifiedAt, string Name,
    string? Description, string IamId, string AccountId, string Apikey);

internal sealed record ApiKeyList(int Offset, int Limit, IReadOnlyList<ApiKeyView> Apikeys);
