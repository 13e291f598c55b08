using Tessera.Cli.Authorizations;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Tessera.Cli.Apply;

/// <summary>
/// The declarative file <c>tessera apply -f</c> reads: YAML (or JSON, which YAML reads too) with a top-level
/// <c>authorizations:</c> list whose items take the argument names of Terraform's <c>ibm_iam_authorization_policy</c>.
/// A name it does not know is an error naming the item and the line (a typo must not silently widen or narrow an
/// authorization), and so is a value that is not text, or roles that are not a list (or one comma-separated text).
/// </summary>
internal static class AuthorizationFile
{
    private static readonly string[] Arguments =
    [
        "source_service_name", "target_service_name", "roles", "source_service_account", "source_resource_instance_id", "source_resource_group_id",
        "source_resource_type", "source_resource", "target_resource_instance_id", "target_resource_group_id", "target_resource_type", "target_resource",
        "description",
    ];

    public static IReadOnlyList<AuthorizationSpec> Read(string path)
    {
        string text;
        try
        {
            text = path == "-" ? Console.In.ReadToEnd() : File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"Cannot read {path}: {e.Message}");
        }
        return Parse(text, path);
    }

    public static IReadOnlyList<AuthorizationSpec> Parse(string text, string name)
    {
        var yaml = new YamlStream();
        try
        {
            yaml.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            throw new CliException($"{name}:{e.Start.Line}: {e.Message}");
        }
        if (yaml.Documents.Count == 0 || yaml.Documents[0].RootNode is not YamlMappingNode root
            || !root.Children.TryGetValue(new YamlScalarNode("authorizations"), out var listNode))
        {
            throw new CliException($"{name}: expected a top-level 'authorizations:' list.");
        }
        if (root.Children.Keys.OfType<YamlScalarNode>().FirstOrDefault(k => k.Value != "authorizations") is { } stray)
            throw new CliException($"{name}:{stray.Start.Line}: unknown top-level key '{stray.Value}'; only 'authorizations' is read.");
        if (listNode is not YamlSequenceNode items)
            throw new CliException($"{name}:{listNode.Start.Line}: 'authorizations' must be a list.");

        var specs = new List<AuthorizationSpec>(items.Children.Count);
        for (var i = 0; i < items.Children.Count; i++)
            specs.Add(ReadItem(items.Children[i], $"{name}:{items.Children[i].Start.Line}: authorizations[{i}]"));
        return specs;
    }

    private static AuthorizationSpec ReadItem(YamlNode node, string where)
    {
        if (node is not YamlMappingNode item)
            throw new CliException($"{where}: each authorization must be a mapping of arguments.");
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        IReadOnlyList<string> roles = [];
        foreach (var (keyNode, valueNode) in item.Children)
        {
            var key = (keyNode as YamlScalarNode)?.Value ?? "";
            if (!Arguments.Contains(key))
                throw new CliException($"{where}: unknown argument '{key}'; the arguments are {string.Join(", ", Arguments)}.");
            if (key == "roles")
            {
                roles = valueNode switch
                {
                    YamlSequenceNode list => [.. list.Children.Select(r => (r as YamlScalarNode)?.Value
                        ?? throw new CliException($"{where}: each role must be a name."))],
                    YamlScalarNode { Value: { } one } => one.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries),
                    _ => throw new CliException($"{where}: roles must be a list of role names."),
                };
                continue;
            }
            values[key] = (valueNode as YamlScalarNode)?.Value is { Length: > 0 } value
                ? value
                : throw new CliException($"{where}: {key} must be a non-empty text.");
        }
        var spec = new AuthorizationSpec
        {
            SourceServiceName = values.GetValueOrDefault("source_service_name"),
            TargetServiceName = values.GetValueOrDefault("target_service_name"),
            Roles = roles,
            SourceServiceAccount = values.GetValueOrDefault("source_service_account"),
            SourceResourceInstanceId = values.GetValueOrDefault("source_resource_instance_id"),
            SourceResourceGroupId = values.GetValueOrDefault("source_resource_group_id"),
            SourceResourceType = values.GetValueOrDefault("source_resource_type"),
            SourceResource = values.GetValueOrDefault("source_resource"),
            TargetResourceInstanceId = values.GetValueOrDefault("target_resource_instance_id"),
            TargetResourceGroupId = values.GetValueOrDefault("target_resource_group_id"),
            TargetResourceType = values.GetValueOrDefault("target_resource_type"),
            TargetResource = values.GetValueOrDefault("target_resource"),
            Description = values.GetValueOrDefault("description"),
        };
        return spec.Problem() is { } problem ? throw new CliException($"{where}: {problem}.") : spec;
    }
}
