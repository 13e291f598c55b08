using System.Text.Json.Nodes;

namespace Tessera.Server.Tests;

/// <summary>Builders for v1 authorization bodies as IBM's SDK sends them.</summary>
internal static class Policies
{
    public const string ObjectWriter = "crn:v1:bluemix:public:cloud-object-storage::::serviceRole:ObjectWriter";
    public const string Reader = "crn:v1:bluemix:public:iam::::serviceRole:Reader";

    /// <summary>attributes as "name=value" or "name=value=operator".</summary>
    public static JsonObject Authorization(string[] subject, string[] roles, string[] resource, string? description = null)
    {
        var body = new JsonObject
        {
            ["type"] = "authorization",
            ["subjects"] = new JsonArray(new JsonObject { ["attributes"] = Attributes(subject) }),
            ["roles"] = new JsonArray(roles.Select(r => (JsonNode)new JsonObject { ["role_id"] = r }).ToArray()),
            ["resources"] = new JsonArray(new JsonObject { ["attributes"] = Attributes(resource) }),
        };
        if (description is not null)
            body["description"] = description;
        return body;
    }

    public const string Administrator = "crn:v1:bluemix:public:iam::::role:Administrator";
    public const string AuthorizationDelegator = "crn:v1:bluemix:public:iam::::role:AuthorizationDelegator";

    public static string PlatformRole(string name) => $"crn:v1:bluemix:public:iam::::role:{name}";

    /// <summary>An access policy granting <paramref name="roles"/> to an identity or access group on <paramref name="resource"/>.</summary>
    public static JsonObject Access(string subjectAttribute, string subjectValue, string[] roles, string[] resource) => new()
    {
        ["type"] = "access",
        ["subjects"] = new JsonArray(new JsonObject
        {
            ["attributes"] = new JsonArray(new JsonObject { ["name"] = subjectAttribute, ["value"] = subjectValue }),
        }),
        ["roles"] = new JsonArray(roles.Select(r => (JsonNode)new JsonObject { ["role_id"] = r }).ToArray()),
        ["resources"] = new JsonArray(new JsonObject { ["attributes"] = Attributes(resource) }),
    };

    /// <summary>atracker → cloud-object-storage (Object Writer) in <paramref name="account"/>, optionally one instance.</summary>
    public static JsonObject AtrackerToCos(string account, string? instance = null, string? sourceAccount = null) => Authorization(
        [$"accountId={sourceAccount ?? account}", "serviceName=atracker"],
        [ObjectWriter],
        instance is null
            ? [$"accountId={account}=stringEquals", "serviceName=cloud-object-storage=stringEquals"]
            : [$"accountId={account}=stringEquals", "serviceName=cloud-object-storage=stringEquals", $"serviceInstance={instance}=stringEquals"]);

    /// <summary>
    /// A v2 authorization body as IBM's SDK and Terraform send it; attributes as "key=value" (stringEquals),
    /// "key=value=operator", or a ready <see cref="JsonObject"/> for booleans and lists.
    /// </summary>
    public static JsonObject V2Authorization(object[] subject, string[] roles, object[] resource, string? description = null)
    {
        var body = new JsonObject
        {
            ["control"] = new JsonObject
            {
                ["grant"] = new JsonObject { ["roles"] = new JsonArray(roles.Select(r => (JsonNode)new JsonObject { ["role_id"] = r }).ToArray()) },
            },
            ["type"] = "authorization",
            ["subject"] = new JsonObject { ["attributes"] = V2Attributes(subject) },
            ["resource"] = new JsonObject { ["attributes"] = V2Attributes(resource) },
        };
        if (description is not null)
            body["description"] = description;
        return body;
    }

    public static JsonObject V2Attribute(string key, string op, JsonNode value) => new() { ["key"] = key, ["operator"] = op, ["value"] = value };

    private static JsonArray V2Attributes(object[] specs) => new(specs.Select(spec =>
    {
        if (spec is JsonObject ready)
            return (JsonNode)ready;
        var parts = ((string)spec).Split('=', 3);
        return V2Attribute(parts[0], parts.Length == 3 ? parts[2] : "stringEquals", parts[1]);
    }).ToArray());

    private static JsonArray Attributes(string[] specs) => new(specs.Select(spec =>
    {
        var parts = spec.Split('=', 3);
        var attribute = new JsonObject { ["name"] = parts[0], ["value"] = parts[1] };
        if (parts.Length == 3)
            attribute["operator"] = parts[2];
        return (JsonNode)attribute;
    }).ToArray());
}
