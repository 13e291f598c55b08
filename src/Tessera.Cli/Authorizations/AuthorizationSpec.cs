using System.Text.Json;
using Tessera.Client;
using Tessera.Client.Models;

namespace Tessera.Cli.Authorizations;

/// <summary>
/// An authorization as a person writes it, with the argument names of Terraform's <c>ibm_iam_authorization_policy</c>
/// (reference §6.1): services by name, roles by display name, and the optional instance, resource group, resource type
/// and resource on each side. Both <c>iam authorization-policy-create</c> and <c>apply -f</c> read into it, and it
/// becomes the same v2 policy body Terraform sends (§2.3): every attribute with its operator, the subject's account the
/// source account (the caller's unless given), the resource's account the caller's, and a source resource group of
/// <c>*</c> meaning "any group" (<c>stringExists</c>).
/// </summary>
internal sealed record AuthorizationSpec
{
    public string? SourceServiceName { get; init; }
    public string? TargetServiceName { get; init; }
    public IReadOnlyList<string> Roles { get; init; } = [];
    public string? SourceServiceAccount { get; init; }
    public string? SourceResourceInstanceId { get; init; }
    public string? SourceResourceGroupId { get; init; }
    public string? SourceResourceType { get; init; }
    public string? SourceResource { get; init; }
    public string? TargetResourceInstanceId { get; init; }
    public string? TargetResourceGroupId { get; init; }
    public string? TargetResourceType { get; init; }
    public string? TargetResource { get; init; }
    public string? Description { get; init; }

    /// <summary>
    /// The service whose roles apply: the target's, or — for a resource type named without a service, such as
    /// <c>resource-group</c> — the resource controller's, as Terraform reads it.
    /// </summary>
    public string RoleService => TargetServiceName ?? "resource-controller";

    /// <summary>What is wrong with the spec as written (before any server is asked), or null.</summary>
    public string? Problem()
    {
        if (SourceServiceName is null && SourceResourceGroupId is null)
            return "a source needs source_service_name or source_resource_group_id";
        if (TargetServiceName is null && TargetResourceType is null)
            return "a target needs target_service_name or target_resource_type";
        if (Roles.Count == 0 || Roles.Any(string.IsNullOrWhiteSpace))
            return "an authorization needs at least one role";
        if (SourceResourceInstanceId is not null && SourceResourceGroupId is not null)
            return "source_resource_instance_id and source_resource_group_id exclude each other";
        if (TargetResourceInstanceId is not null && TargetResourceGroupId is not null)
            return "target_resource_instance_id and target_resource_group_id exclude each other";
        return null;
    }

    /// <summary>The v2 policy body, with <paramref name="roleIds"/> the CRNs the roles resolved to.</summary>
    public PolicyV2 ToPolicy(string callerAccountId, IReadOnlyList<string> roleIds)
    {
        var subject = new List<V2AttributeEntry>();
        Add(subject, "serviceName", SourceServiceName);
        Add(subject, "accountId", SourceServiceAccount ?? callerAccountId);
        Add(subject, "serviceInstance", SourceResourceInstanceId);
        Add(subject, "resourceType", SourceResourceType);
        Add(subject, "resource", SourceResource);
        if (SourceResourceGroupId == "*")
            subject.Add(new V2AttributeEntry { Key = "resourceGroupId", Operator = "stringExists", Value = JsonSerializer.SerializeToElement(true, ClientJsonContext.Default.Boolean) });
        else
            Add(subject, "resourceGroupId", SourceResourceGroupId);

        var resource = new List<V2AttributeEntry>();
        Add(resource, "serviceName", TargetServiceName);
        Add(resource, "accountId", callerAccountId);
        Add(resource, "serviceInstance", TargetResourceInstanceId);
        Add(resource, "resourceType", TargetResourceType);
        Add(resource, "resource", TargetResource);
        Add(resource, "resourceGroupId", TargetResourceGroupId);

        return new PolicyV2
        {
            Type = PolicyTypes.Authorization,
            Description = Description,
            Subject = new V2AttributeSet { Attributes = subject },
            Resource = new V2AttributeSet { Attributes = resource },
            Control = new V2Control { Grant = new V2Grant { Roles = [.. roleIds.Select(id => new PolicyRole { RoleId = id })] } },
        };
    }

    private static void Add(List<V2AttributeEntry> attributes, string key, string? value)
    {
        if (value is not null)
            attributes.Add(new V2AttributeEntry { Key = key, Operator = "stringEquals", Value = JsonSerializer.SerializeToElement(value, ClientJsonContext.Default.String) });
    }
}
