using System.Text.Json.Serialization;
using Tessera.Client.Models;

namespace Tessera.Client;

/// <summary>
/// The API's objects in JSON, generated at build time: IBM's snake_case names, absent rather than null fields in what it sends,
/// and no reflection (the client works trimmed and ahead-of-time compiled).
/// </summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    WriteIndented = false)]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(bool))]
[JsonSerializable(typeof(System.Text.Json.JsonElement))]
[JsonSerializable(typeof(PolicyV1))]
[JsonSerializable(typeof(PolicyV2))]
[JsonSerializable(typeof(PolicyBatch))]
[JsonSerializable(typeof(PolicyPage<PolicyV1>))]
[JsonSerializable(typeof(PolicyPage<PolicyV2>))]
[JsonSerializable(typeof(RoleList))]
[JsonSerializable(typeof(Catalog))]
[JsonSerializable(typeof(ServiceId))]
[JsonSerializable(typeof(ServiceIdPage))]
[JsonSerializable(typeof(ApiKey))]
[JsonSerializable(typeof(ApiKeyPage))]
[JsonSerializable(typeof(Account))]
[JsonSerializable(typeof(CreatedAccount))]
[JsonSerializable(typeof(User))]
[JsonSerializable(typeof(UserPage))]
[JsonSerializable(typeof(AccessGroup))]
[JsonSerializable(typeof(AccessGroupPage))]
[JsonSerializable(typeof(GroupMembers))]
[JsonSerializable(typeof(ResourceGroup))]
[JsonSerializable(typeof(ResourceGroupPage))]
[JsonSerializable(typeof(ResourceInstance))]
[JsonSerializable(typeof(ResourceInstancePage))]
[JsonSerializable(typeof(NewResourceInstance))]
[JsonSerializable(typeof(EvaluationRequest))]
[JsonSerializable(typeof(EvaluationsRequest))]
[JsonSerializable(typeof(Decision))]
[JsonSerializable(typeof(Evaluations))]
[JsonSerializable(typeof(SearchRequest))]
[JsonSerializable(typeof(SearchPage))]
[JsonSerializable(typeof(AuditEvent))]
[JsonSerializable(typeof(EventPage))]
public sealed partial class ClientJsonContext : JsonSerializerContext;

/// <summary>The bodies only the client itself builds or reads, with <see cref="ClientJsonContext"/>'s options.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(TokenResponse))]
[JsonSerializable(typeof(NewServiceId))]
[JsonSerializable(typeof(NewApiKey))]
[JsonSerializable(typeof(NewAccount))]
[JsonSerializable(typeof(NewUser))]
[JsonSerializable(typeof(NewAccessGroup))]
[JsonSerializable(typeof(NewResourceGroup))]
internal sealed partial class RequestJsonContext : JsonSerializerContext;

