using System.Text.Json.Serialization;
using Tessera.Server.Catalog;
using Tessera.Server.Decisions;
using Tessera.Server.Errors;
using Tessera.Server.Identity;
using Tessera.Server.Policies;
using Tessera.Server.Roles;

namespace Tessera.Server;

/// <summary>Source-generated serialization for every wire type: no reflection at run time.</summary>
[JsonSerializable(typeof(IbmErrorBody))]
[JsonSerializable(typeof(V1Policy))]
[JsonSerializable(typeof(V1PolicyList))]
[JsonSerializable(typeof(TokenResponse))]
[JsonSerializable(typeof(TokenErrorResponse))]
[JsonSerializable(typeof(JsonWebKeySet))]
[JsonSerializable(typeof(RoleCollection))]
[JsonSerializable(typeof(CatalogResponse))]
[JsonSerializable(typeof(string[]))]
[JsonSerializable(typeof(AuthZenConfiguration))]
[JsonSerializable(typeof(Health.Readiness))]
internal sealed partial class ServerJsonContext : JsonSerializerContext;
