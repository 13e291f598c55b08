using System.Text.Json;
using Tessera.Client.Models;

namespace Tessera.Cli.Authorizations;

/// <summary>
/// An authorization as a person reads it: each side's service and scope, the roles, whether the source is in this
/// account or another (the seed's "Source account" column), and who created it — a user, or the source service's CRN
/// for one it created by delegation.
/// </summary>
internal sealed record AuthorizationView(string Id, string Source, string Target, string Roles, string SourceAccount, string CreatedBy, string State)
{
    public static AuthorizationView Of(PolicyV1 policy, string accountId) =>
        Of(policy.Id!, Attributes(policy.Subjects), Attributes(policy.Resources),
            policy.Roles.Select(r => r.DisplayName ?? ShortName(r.RoleId)), accountId, policy.CreatedById, policy.State);

    public static AuthorizationView Of(PolicyV2 policy, string accountId, IReadOnlyDictionary<string, string>? roleNames = null) =>
        Of(policy.Id!, policy.Subject.Attributes.Select(a => (a.Key, Text(a.Operator, a.Value))),
            policy.Resource.Attributes.Select(a => (a.Key, Text(a.Operator, a.Value))),
            policy.Control.Grant.Roles.Select(r => r.DisplayName ?? roleNames?.GetValueOrDefault(r.RoleId) ?? ShortName(r.RoleId)),
            accountId, policy.CreatedById, policy.State);

    private static AuthorizationView Of(string id, IEnumerable<(string Key, string Value)> subject, IEnumerable<(string Key, string Value)> resource,
        IEnumerable<string> roles, string accountId, string? createdBy, string? state)
    {
        var source = subject.ToDictionary(a => a.Key, a => a.Value);
        var target = resource.ToDictionary(a => a.Key, a => a.Value);
        var sourceAccount = source.GetValueOrDefault("accountId");
        return new AuthorizationView(id, Describe(source), Describe(target), string.Join(", ", roles),
            sourceAccount is null || sourceAccount == accountId ? "This account" : sourceAccount, createdBy ?? "", state ?? "");
    }

    /// <summary>"kms, instance 0fd8…", "atracker, all instances", "cloud-object-storage, bucket audit", "resource-group 1d82…".</summary>
    public static string Describe(IReadOnlyDictionary<string, string> attributes)
    {
        var service = attributes.GetValueOrDefault("serviceName");
        var scope = new List<string>();
        if (attributes.GetValueOrDefault("serviceInstance") is { } instance)
            scope.Add("instance " + instance);
        if (attributes.GetValueOrDefault("resourceGroupId") is { } group)
            scope.Add(group == "*" ? "any resource group" : "resource group " + group);
        if (attributes.GetValueOrDefault("resourceType") is { } type)
            scope.Add(attributes.GetValueOrDefault("resource") is { } resource ? $"{type} {resource}" : $"every {type}");
        foreach (var (key, value) in attributes.Where(a => a.Key is not ("serviceName" or "accountId" or "serviceInstance" or "resourceGroupId"
                     or "resourceType" or "resource")))
            scope.Add($"{key}={value}");
        if (scope.Count == 0)
            scope.Add("all instances");
        return service is null ? string.Join(", ", scope) : $"{service}, {string.Join(", ", scope)}";
    }

    public static IEnumerable<(string Key, string Value)> Attributes(IReadOnlyList<AttributeSet> sets) =>
        sets.Count == 0 ? [] : sets[0].Attributes.Select(a => (a.Name, Text(a.Operator, a.Value)));

    // stringExists (true) reads as "*", as Terraform writes it; any-of lists as their values.
    private static string Text(string? @operator, JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String when @operator == "stringExists" => "*",
        JsonValueKind.String => value.GetString()!,
        JsonValueKind.True when @operator == "stringExists" => "*",
        JsonValueKind.Array => string.Join("|", value.EnumerateArray().Select(v => v.ToString())),
        _ => value.ToString(),
    };

    public static string ShortName(string roleCrn) => roleCrn[(roleCrn.LastIndexOf(':') + 1)..];

    public static readonly string[] Headers = ["ID", "Source", "Target", "Roles", "Source account", "Created by"];

    public IReadOnlyList<string?> Row => [Id, Source, Target, Roles, SourceAccount, CreatedBy];

    public IEnumerable<(string, string?)> Fields =>
    [
        ("ID", Id), ("Source", Source), ("Target", Target), ("Roles", Roles), ("Source account", SourceAccount), ("Created by", CreatedBy), ("State", State),
    ];
}
