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
[JsonSerializable(typeof(PolicyList<V1Policy>))]
[JsonSerializable(typeof(V2Policy))]
[JsonSerializable(typeof(PolicyList<V2Policy>))]
[JsonSerializable(typeof(V2PolicyBatch))]
[JsonSerializable(typeof(TokenResponse))]
[JsonSerializable(typeof(TokenErrorResponse))]
[JsonSerializable(typeof(JsonWebKeySet))]
[JsonSerializable(typeof(RotatedKey))]
[JsonSerializable(typeof(OpenIdConfiguration))]
[JsonSerializable(typeof(Tessera.Server.Health.VersionInfo))]
[JsonSerializable(typeof(RoleCollection))]
[JsonSerializable(typeof(CatalogResponse))]
[JsonSerializable(typeof(string[]))]
[JsonSerializable(typeof(AuthZenConfiguration))]
[JsonSerializable(typeof(Health.Readiness))]
internal sealed partial class ServerJsonContext : JsonSerializerContext
{
    /// <summary>
    /// What the server writes with: the generated options, except that text is escaped only where JSON requires it, so
    /// that an event time reads <c>+00:00</c> and a name <c>O'Brien &amp; Co</c>, not <c>\u002B00:00</c>. The answers are JSON
    /// bodies, never embedded in HTML, which is what the default escaping protects against.
    /// </summary>
    public static ServerJsonContext Relaxed { get; } = new(new System.Text.Json.JsonSerializerOptions
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });
}
