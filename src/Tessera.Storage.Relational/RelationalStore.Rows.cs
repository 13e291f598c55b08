using System.Data.Common;
using System.Globalization;
using Tessera.Model;
using Tessera.Policies;

namespace Tessera.Storage.Relational;

// Columns and row mappers: one place that knows how each table is read.
public abstract partial class RelationalStore
{
    protected const string PolicyColumns =
        "id, account_id, type, state, body, created_at, created_by_id, last_modified_at, last_modified_by_id, revision, etag";

    private const string IdentityColumns = "iam_id, account_id, kind, name, created_at, description, locked, deleted, modified_at, version";

    private static string IdentityColumnsOf(string alias) => string.Join(", ", IdentityColumns.Split(", ").Select(c => $"{alias}.{c}"));

    private const int ApiKeyColumnCount = 12;

    private static string ApiKeyColumns(string alias) =>
        string.Join(", ", "id, iam_id, account_id, name, hash, created_at, description, created_by, locked, deleted, modified_at, version".Split(", ")
            .Select(c => $"{alias}.{c}"));

    private const string ResourceGroupColumns = "id, account_id, name, is_default, created_at, deleted, updated_at";

    private const string InstanceColumns =
        "guid, account_id, service_name, region, name, resource_group_id, plan_id, removed, created_at, created_by, deleted_at, deleted_by, revision";

    private const string AccessGroupColumns = "id, account_id, name, description, created_at, created_by_id, modified_at, modified_by_id, deleted";

    private const string MemberColumns = "group_id, iam_id, account_id, added_at, added_by";

    protected static Policy ReadPolicy(DbDataReader reader)
    {
        var content = PolicyBodyCodec.Deserialize(reader.GetString(4));
        return new Policy
        {
            Id = reader.GetString(0),
            AccountId = reader.GetString(1),
            Type = PolicyWireNames.ParseType(reader.GetString(2)),
            State = PolicyWireNames.ParseState(reader.GetString(3)),
            Description = content.Description,
            Subject = content.Subject,
            Roles = content.Roles,
            Resource = content.Resource,
            Pattern = content.Pattern,
            Rule = content.Rule,
            CreatedAt = Parse(reader.GetString(5)),
            CreatedById = reader.GetString(6),
            LastModifiedAt = Parse(reader.GetString(7)),
            LastModifiedById = reader.GetString(8),
            Revision = reader.GetInt64(9),
            ETag = reader.GetString(10),
        };
    }

    private static Identity ReadIdentity(DbDataReader reader, int first) =>
        new(reader.GetString(first), reader.GetString(first + 1), Enum.Parse<IdentityKind>(reader.GetString(first + 2)),
            reader.GetString(first + 3), Parse(reader.GetString(first + 4)))
        {
            Description = NullableString(reader, first + 5),
            Locked = Flag(reader, first + 6),
            Deleted = Flag(reader, first + 7),
            ModifiedAt = Parse(reader.GetString(first + 8)),
            Version = reader.GetInt32(first + 9),
        };

    private static ApiKey ReadApiKey(DbDataReader reader) =>
        new(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4), Parse(reader.GetString(5)))
        {
            Description = NullableString(reader, 6),
            CreatedBy = reader.GetString(7),
            Locked = Flag(reader, 8),
            Deleted = Flag(reader, 9),
            ModifiedAt = Parse(reader.GetString(10)),
            Version = reader.GetInt32(11),
        };

    private static ResourceGroup ReadResourceGroup(DbDataReader reader) =>
        new(reader.GetString(0), reader.GetString(1), reader.GetString(2), Flag(reader, 3), Parse(reader.GetString(4)))
        {
            Deleted = Flag(reader, 5),
            UpdatedAt = Parse(reader.GetString(6)),
        };

    private static ServiceInstance ReadInstance(DbDataReader reader) => new()
    {
        Guid = reader.GetString(0),
        AccountId = reader.GetString(1),
        ServiceName = reader.GetString(2),
        Region = reader.GetString(3),
        Name = reader.GetString(4),
        ResourceGroupId = reader.GetString(5),
        PlanId = reader.GetString(6),
        Removed = Flag(reader, 7),
        CreatedAt = Parse(reader.GetString(8)),
        CreatedBy = reader.GetString(9),
        DeletedAt = reader.IsDBNull(10) ? null : Parse(reader.GetString(10)),
        DeletedBy = NullableString(reader, 11),
        Revision = reader.GetInt64(12),
    };

    private static AccessGroup ReadAccessGroup(DbDataReader reader) => new()
    {
        Id = reader.GetString(0),
        AccountId = reader.GetString(1),
        Name = reader.GetString(2),
        Description = NullableString(reader, 3),
        CreatedAt = Parse(reader.GetString(4)),
        CreatedById = reader.GetString(5),
        ModifiedAt = Parse(reader.GetString(6)),
        ModifiedById = reader.GetString(7),
        Deleted = Flag(reader, 8),
    };

    private static GroupMembership ReadMembership(DbDataReader reader) =>
        new(reader.GetString(0), reader.GetString(1), reader.GetString(2), Parse(reader.GetString(3)), reader.GetString(4));

    private static string? NullableString(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    protected static bool Flag(DbDataReader reader, int ordinal) => reader.GetInt32(ordinal) != 0;

    protected static string Format(DateTimeOffset time) => PageCursor.Format(time);

    private static DateTimeOffset Parse(string text) =>
        DateTimeOffset.ParseExact(text, TimeFormat, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
}
