using System.Text.Json.Nodes;
using Tessera.Catalog;
using Tessera.Policies;

namespace Tessera.Management;

/// <summary>A policy as its audit event records it: IBM's v1 shape (type, subjects, roles with display names, resources, state).</summary>
internal static class PolicyEventBody
{
    public static JsonObject Of(Policy policy, ServiceCatalog catalog)
    {
        var target = policy.ResourceValue(AttributeNames.ServiceName) is { } name ? catalog.FindService(name) : null;
        var roles = new JsonArray();
        foreach (var roleId in policy.Roles)
        {
            roles.Add(new JsonObject
            {
                ["role_id"] = roleId,
                ["display_name"] = target is null ? null : catalog.ResolveRole(target, roleId)?.DisplayName,
            });
        }
        return new JsonObject
        {
            ["id"] = policy.Id,
            ["type"] = policy.Type.ToWire(),
            ["description"] = policy.Description,
            ["subjects"] = new JsonArray(new JsonObject { ["attributes"] = Attributes(policy.Subject) }),
            ["roles"] = roles,
            ["resources"] = new JsonArray(new JsonObject { ["attributes"] = Attributes(policy.Resource) }),
            ["state"] = policy.State.ToWire(),
        };
    }

    private static JsonArray Attributes(IReadOnlyList<AttributeConstraint> constraints)
    {
        var attributes = new JsonArray();
        foreach (var constraint in constraints)
        {
            var attribute = new JsonObject { ["name"] = constraint.Name, ["value"] = constraint.Value };
            if (constraint.OperatorGiven)
                attribute["operator"] = constraint.Operator.ToWire();
            attributes.Add(attribute);
        }
        return attributes;
    }
}
