using System.Text.Json.Serialization;

namespace Tessera.Server.Roles;

/// <summary>IBM's <c>RoleCollection</c> (reference §2.5). Terraform maps role names to CRNs with it.</summary>
internal sealed record RoleCollection(
    [property: JsonPropertyName("custom_roles")] IReadOnlyList<WireRole> CustomRoles,
    [property: JsonPropertyName("service_roles")] IReadOnlyList<WireRole> ServiceRoles,
    [property: JsonPropertyName("system_roles")] IReadOnlyList<WireRole> SystemRoles);

internal sealed record WireRole(
    [property: JsonPropertyName("display_name")] string DisplayName,
    [property: JsonPropertyName("description")] string Description,
    [property: JsonPropertyName("actions")] IReadOnlyList<string> Actions,
    [property: JsonPropertyName("crn")] string Crn);
