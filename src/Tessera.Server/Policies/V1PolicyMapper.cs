using System.Globalization;
using System.Text.Json;
using Tessera.Catalog;
using Tessera.Policies;
using Tessera.Server.Http;

namespace Tessera.Server.Policies;

/// <summary>Maps between the v1 wire view and the internal policy form, echoing attribute order and operator presence.</summary>
internal static class V1PolicyMapper
{
    private const string TimeFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";

    /// <summary>
    /// The v1 view. What v1 cannot express is still shown, without changing a field a v1 client reads: a
    /// <c>stringExists</c> value as the text <c>true</c> or <c>false</c>, an any-of list as its values joined by commas
    /// (with the v2 operator's name), and a rule in <c>pattern</c> and <c>rule</c> fields that v1 clients ignore.
    /// </summary>
    public static V1Policy ToWire(Policy policy, ServiceCatalog catalog, string baseUrl) => new(
        policy.Id,
        policy.Type.ToWire(),
        policy.Description,
        [new V1AttributeList(policy.Subject.Select(ToWire).ToArray())],
        policy.Roles.Select(roleId => ToWireRole(policy, roleId, catalog)).ToArray(),
        [new V1AttributeList(policy.Resource.Select(ToWire).ToArray())],
        policy.Pattern,
        policy.Rule is null ? null : V2PolicyMapper.ToWire(policy.Rule),
        $"{baseUrl}/v1/policies/{policy.Id}",
        Format(policy.CreatedAt),
        policy.CreatedById,
        Format(policy.LastModifiedAt),
        policy.LastModifiedById,
        policy.State.ToWire(),
        LastPermitAt(policy),
        policy.Permits?.Frequency);

    /// <summary>When the policy last permitted, for a read that asked (<c>format=include_last_permit</c>); null when it never has.</summary>
    public static string? LastPermitAt(Policy policy) => policy.Permits?.LastPermitAt is { } at ? Format(at) : null;

    /// <summary>Reads a v1 create/replace body. Throws <see cref="BadShapeException"/> with the path of what is wrong.</summary>
    public static PolicyDraft ReadDraft(JsonElement root)
    {
        JsonShape.Object(root, string.Empty);
        JsonShape.OnlyProperties(root, string.Empty, "type", "subjects", "roles", "resources", "description");

        var typeText = JsonShape.RequiredString(root, string.Empty, "type");
        if (!PolicyWireNames.TryParseType(typeText, out var type))
            throw new BadShapeException($"type must be 'authorization' or 'access', not '{typeText}'");

        var subject = ReadSingleAttributeList(root, "subjects");
        var resource = ReadSingleAttributeList(root, "resources");

        var roles = JsonShape.Objects(JsonShape.RequiredProperty(root, string.Empty, "roles"), "roles", 1, PolicyLimits.MaxRoles, "role_id", "display_name", "description")
            .Select(role => JsonShape.RequiredString(role.Item, role.Path, "role_id")).ToList();

        return new PolicyDraft(type, JsonShape.OptionalString(root, string.Empty, "description"), subject, roles, resource) { IsV1 = true };
    }

    private static List<AttributeConstraint> ReadSingleAttributeList(JsonElement root, string name)
    {
        var list = JsonShape.Array(JsonShape.RequiredProperty(root, string.Empty, name), name, 1, 1).First();
        var listPath = $"{name}[0]";
        JsonShape.Object(list, listPath);
        JsonShape.OnlyProperties(list, listPath, "attributes");

        var attributes = new List<AttributeConstraint>();
        foreach (var (attribute, path) in JsonShape.Objects(JsonShape.RequiredProperty(list, listPath, "attributes"), $"{listPath}.attributes", 1,
                     PolicyLimits.MaxAttributes, "name", "value", "operator"))
        {
            var operatorText = JsonShape.OptionalString(attribute, path, "operator");
            var op = AttributeOperator.StringEquals;
            if (operatorText is not null && (!AttributeOperators.TryParse(operatorText, out op) || op == AttributeOperator.StringExists))
                throw new BadShapeException($"{path}.operator must be 'stringEquals' or 'stringMatch', not '{operatorText}'");
            attributes.Add(new AttributeConstraint(
                JsonShape.RequiredString(attribute, path, "name"),
                JsonShape.RequiredString(attribute, path, "value"),
                op,
                operatorText is not null));
        }
        return attributes;
    }

    private static V1Attribute ToWire(AttributeConstraint attribute) =>
        new(attribute.Name, attribute.Value, attribute.OperatorGiven ? attribute.Operator.ToWire() : null);

    private static V1Role ToWireRole(Policy policy, string roleId, ServiceCatalog catalog)
    {
        var (displayName, description) = PolicyRoles.Names(PolicyRoles.Find(policy, roleId, catalog), roleId);
        return new V1Role(roleId, displayName, description);
    }

    public static string Format(DateTimeOffset time) => time.UtcDateTime.ToString(TimeFormat, CultureInfo.InvariantCulture);
}
