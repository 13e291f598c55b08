using System.Globalization;
using System.Text.Json;
using Tessera.Catalog;
using Tessera.Policies;
using Tessera.Server.Http;

namespace Tessera.Server.Policies;

/// <summary>
/// Maps between the v2 wire view (<c>subject</c>, <c>resource</c>, <c>control.grant.roles</c>, <c>key/operator/value</c>,
/// <c>pattern</c> and <c>rule</c>) and the internal policy form, the same form the v1 view maps to.
/// </summary>
internal static class V2PolicyMapper
{
    public static V2Policy ToWire(Policy policy, ServiceCatalog catalog, string baseUrl, bool display) => new(
        policy.Id,
        policy.Type.ToWire(),
        policy.Description,
        new V2AttributeList(policy.Subject.Select(ToWire).ToArray()),
        new V2AttributeList(policy.Resource.Select(ToWire).ToArray()),
        policy.Pattern,
        policy.Rule is null ? null : ToWire(policy.Rule),
        new V2Control(new V2Grant(policy.Roles.Select(roleId => ToWireRole(policy, roleId, catalog, display)).ToArray())),
        $"{baseUrl}/v1/policies/{policy.Id}",
        V1PolicyMapper.Format(policy.CreatedAt),
        policy.CreatedById,
        V1PolicyMapper.Format(policy.LastModifiedAt),
        policy.LastModifiedById,
        policy.State.ToWire(),
        V1PolicyMapper.LastPermitAt(policy),
        policy.Permits?.Frequency);

    public static V2Rule ToWire(PolicyRule rule) => rule switch
    {
        RuleCombination combination => new V2Rule(null, combination.All ? "and" : "or", null, combination.Conditions.Select(ToWire).ToArray()),
        RuleCondition condition => new V2Rule(condition.Key, condition.Operator.ToWire(),
            condition.ValueIsList ? V2Value.Of(condition.Values) : V2Value.Of(condition.Values[0]), null),
        _ => throw new ArgumentOutOfRangeException(nameof(rule)),
    };

    /// <summary>Reads a v2 create/replace body. Throws <see cref="BadShapeException"/> with the path of what is wrong.</summary>
    public static PolicyDraft ReadDraft(JsonElement root)
    {
        JsonShape.Object(root, string.Empty);
        JsonShape.OnlyProperties(root, string.Empty, "control", "type", "description", "subject", "resource", "pattern", "rule");

        var typeText = JsonShape.RequiredString(root, string.Empty, "type");
        if (!PolicyWireNames.TryParseType(typeText, out var type))
            throw new BadShapeException($"type must be 'authorization' or 'access', not '{typeText}'");

        var control = JsonShape.Object(JsonShape.RequiredProperty(root, string.Empty, "control"), "control");
        JsonShape.OnlyProperties(control, "control", "grant");
        var grant = JsonShape.Object(JsonShape.RequiredProperty(control, "control", "grant"), "control.grant");
        JsonShape.OnlyProperties(grant, "control.grant", "roles");
        var roles = JsonShape.Objects(JsonShape.RequiredProperty(grant, "control.grant", "roles"), "control.grant.roles", 1, PolicyLimits.MaxRoles,
                "role_id", "display_name", "description", "actions")
            .Select(role => JsonShape.RequiredString(role.Item, role.Path, "role_id")).ToList();

        var subject = ReadAttributes(root, "subject", allowTags: false);
        var resource = ReadAttributes(root, "resource", allowTags: true);
        var pattern = JsonShape.OptionalString(root, string.Empty, "pattern");
        var rule = JsonShape.OptionalProperty(root, "rule") is { } ruleElement ? ReadRule(ruleElement, "rule") : null;
        return new PolicyDraft(type, JsonShape.OptionalString(root, string.Empty, "description"), subject, roles, resource) { Pattern = pattern, Rule = rule };
    }

    private static List<AttributeConstraint> ReadAttributes(JsonElement root, string name, bool allowTags)
    {
        var attributes = new List<AttributeConstraint>();
        if (JsonShape.OptionalProperty(root, name) is not { } side)
            return attributes;
        JsonShape.Object(side, name);
        if (allowTags)
        {
            JsonShape.OnlyProperties(side, name, "attributes", "tags");
            if (JsonShape.OptionalProperty(side, "tags") is { ValueKind: JsonValueKind.Array } tags && tags.GetArrayLength() > 0)
                throw new BadShapeException($"{name}.tags: access tags are not supported; constrain the resource by its attributes");
        }
        else
        {
            JsonShape.OnlyProperties(side, name, "attributes");
        }
        foreach (var (attribute, path) in JsonShape.Objects(JsonShape.RequiredProperty(side, name, "attributes"), $"{name}.attributes", 1,
                     PolicyLimits.MaxAttributes, "key", "operator", "value"))
        {
            var key = JsonShape.RequiredString(attribute, path, "key");
            var operatorText = JsonShape.RequiredString(attribute, path, "operator");
            if (!AttributeOperators.TryParse(operatorText, out var op))
                throw new BadShapeException($"{path}.operator must be one of stringEquals, stringExists, stringMatch, stringEqualsAnyOf, stringMatchAnyOf, not '{operatorText}'");
            var value = JsonShape.RequiredProperty(attribute, path, "value");
            attributes.Add(op switch
            {
                AttributeOperator.StringExists => value.ValueKind is JsonValueKind.True or JsonValueKind.False
                    ? new AttributeConstraint(key, value.ValueKind == JsonValueKind.True ? "true" : "false", op, true)
                    : throw new BadShapeException($"{path}.value must be true or false for operator 'stringExists'"),
                _ when op.TakesList() => AttributeConstraint.AnyOf(key, op, Strings(value, $"{path}.value", PolicyLimits.MaxAnyOfValues)),
                _ => new AttributeConstraint(key, JsonShape.String(value, $"{path}.value"), op, true),
            });
        }
        return attributes;
    }

    private static PolicyRule ReadRule(JsonElement rule, string path)
    {
        JsonShape.Object(rule, path);
        JsonShape.OnlyProperties(rule, path, "key", "operator", "value", "conditions");
        var operatorText = JsonShape.RequiredString(rule, path, "operator");
        if (operatorText is "and" or "or")
        {
            var conditions = JsonShape.Items(JsonShape.RequiredProperty(rule, path, "conditions"), $"{path}.conditions", 1, PolicyLimits.MaxRuleConditions)
                .Select(condition => ReadRule(condition.Item, condition.Path)).ToList();
            return new RuleCombination(operatorText == "and", conditions);
        }
        if (!RuleOperators.TryParse(operatorText, out var op))
            throw new BadShapeException($"{path}.operator must be 'and', 'or' or one of {string.Join(", ", RuleOperators.WireNames)}, not '{operatorText}'");
        var key = JsonShape.RequiredString(rule, path, "key");
        var value = JsonShape.RequiredProperty(rule, path, "value");
        return value.ValueKind == JsonValueKind.Array
            ? new RuleCondition(key, op, Strings(value, $"{path}.value", 7), true)
            : new RuleCondition(key, op, [Text(value, $"{path}.value")], false);
    }

    /// <summary>A list of strings; IBM's examples also write days of the week as numbers, which are kept as their text.</summary>
    private static List<string> Strings(JsonElement value, string path, int max) =>
        JsonShape.Items(value, path, 1, max).Select(item => Text(item.Item, item.Path)).ToList();

    private static string Text(JsonElement value, string path) => value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number)
        ? number.ToString(CultureInfo.InvariantCulture)
        : JsonShape.String(value, path);

    private static V2Attribute ToWire(AttributeConstraint attribute) => new(attribute.Name, attribute.Operator.ToWire(), attribute.Operator switch
    {
        AttributeOperator.StringExists => V2Value.Of(attribute.Value == "true"),
        _ when attribute.Operator.TakesList() => V2Value.Of(attribute.Values),
        _ => V2Value.Of(attribute.Value),
    });

    private static V2Role ToWireRole(Policy policy, string roleId, ServiceCatalog catalog, bool display)
    {
        if (!display)
            return new V2Role(roleId);
        var role = PolicyRoles.Find(policy, roleId, catalog);
        var (displayName, description) = PolicyRoles.Names(role, roleId);
        return new V2Role(roleId, displayName, description,
            (role?.Actions ?? []).Select(action => new V2RoleAction(action, action, $"Lets the holder perform {action}")).ToArray());
    }
}
