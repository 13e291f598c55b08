using System.Text.Json.Serialization;
using Tessera.Server.Accounts;
using Tessera.Server.Audit;
using Tessera.Server.Groups;
using Tessera.Server.Identity;
using Tessera.Server.Resources;

namespace Tessera.Server;

/// <summary>
/// Source-generated serialization for the account, identity, resource and group APIs. Their IBM shapes are snake_case
/// and leave out what is not set, so the names come from the naming policy instead of an attribute on every property.
/// </summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(AccountCreated))]
[JsonSerializable(typeof(AccountView))]
[JsonSerializable(typeof(UserView))]
[JsonSerializable(typeof(UserList))]
[JsonSerializable(typeof(ServiceIdView))]
[JsonSerializable(typeof(ServiceIdList))]
[JsonSerializable(typeof(ApiKeyView))]
[JsonSerializable(typeof(ApiKeyList))]
[JsonSerializable(typeof(ResourceGroupCreated))]
[JsonSerializable(typeof(ResourceGroupView))]
[JsonSerializable(typeof(ResourceGroupList))]
[JsonSerializable(typeof(ResourceInstanceView))]
[JsonSerializable(typeof(ResourceInstanceList))]
[JsonSerializable(typeof(AccessGroupView))]
[JsonSerializable(typeof(AccessGroupList))]
[JsonSerializable(typeof(GroupMemberList))]
[JsonSerializable(typeof(AddMembersResult))]
[JsonSerializable(typeof(EventPage))]
internal sealed partial class ManagementJsonContext : JsonSerializerContext
{
    /// <summary>
    /// What the server writes with: the generated options, except that text is escaped only where JSON requires it, so
    /// that an event time reads <c>+00:00</c> and a name <c>O'Brien &amp; Co</c>, not <c>\u002B00:00</c>. The answers are JSON
    /// bodies, never embedded in HTML, which is what the default escaping protects against.
    /// </summary>
    public static ManagementJsonContext Relaxed { get; } = new(new System.Text.Json.JsonSerializerOptions
    {
        PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });
}
