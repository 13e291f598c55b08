namespace Tessera.Server.Groups;

internal sealed record AccessGroupView(
    string Id, string Name, string? Description, string AccountId, string CreatedAt, string CreatedById, string LastModifiedAt,
    string LastModifiedById, string Href, bool IsFederated);

internal sealed record AccessGroupList(int Limit, int Offset, int TotalCount, IReadOnlyList<AccessGroupView> Groups);

internal sealed record MemberResult(string IamId, string? Type, int? StatusCode, string? CreatedAt, string? CreatedById);

internal sealed record AddMembersResult(IReadOnlyList<MemberResult> Members);

internal sealed record GroupMemberList(int TotalCount, IReadOnlyList<MemberResult> Members);
