using Tessera.Decisions;
using Tessera.Policies;

namespace Tessera.Core.Tests;

/// <summary>Builders shared by the decision tests, and the plain reference evaluator the engine is compared with.</summary>
internal static class DecisionTestKit
{
    public static Policy Policy(string id, IReadOnlyDictionary<string, string> subject, IReadOnlyList<string> roles,
        IReadOnlyDictionary<string, string> resource, PolicyState state = PolicyState.Active) => new()
        {
            Id = id,
            Type = PolicyType.Authorization,
            AccountId = resource.GetValueOrDefault("accountId") ?? "none",
            Subject = subject.Select(a => new AttributeConstraint(a.Key, a.Value, AttributeOperator.StringEquals, false)).ToArray(),
            Roles = roles,
            Resource = resource.Select(a => new AttributeConstraint(a.Key, a.Value, AttributeOperator.StringEquals, false)).ToArray(),
            State = state,
            CreatedAt = DateTimeOffset.UnixEpoch,
            CreatedById = "test",
            LastModifiedAt = DateTimeOffset.UnixEpoch,
            LastModifiedById = "test",
        };

    public static Attributes Attributes(IReadOnlyDictionary<string, string>? values) => values is null
        ? default
        : new Attributes(
            values.GetValueOrDefault("accountId"), values.GetValueOrDefault("serviceName"), values.GetValueOrDefault("serviceInstance"),
            values.GetValueOrDefault("resourceGroupId"), values.GetValueOrDefault("resourceType"), values.GetValueOrDefault("resource"),
            values.GetValueOrDefault("region"));

    /// <summary>
    /// The semantics of bench-workload.md, written as plainly as possible: a policy permits when every subject
    /// attribute equals the request's, every resource attribute equals the request's, and a role carries the action.
    /// </summary>
    public static bool Reference(IEnumerable<Policy> active, IReadOnlyDictionary<string, IReadOnlyList<string>> roles, DecisionRequest request)
    {
        foreach (var policy in active)
        {
            var subject = request.Subject;
            var resource = request.Resource;
            if (policy.Subject.All(a => Value(subject, a.Name) == Tessera.Model.Crn.InstanceGuidOrSelf(a.Name, a.Value))
                && policy.Resource.All(a => Value(resource, a.Name) == Tessera.Model.Crn.InstanceGuidOrSelf(a.Name, a.Value))
                && policy.Roles.Any(r => roles.TryGetValue(r, out var actions) && actions.Contains(request.Action)))
            {
                return true;
            }
        }
        return false;
    }

    private static string? Value(Attributes attributes, string name) => name switch
    {
        "accountId" => attributes.AccountId,
        "serviceName" => attributes.ServiceName,
        "serviceInstance" => attributes.ServiceInstance,
        "resourceGroupId" => attributes.ResourceGroupId,
        "resourceType" => attributes.ResourceType,
        "resource" => attributes.Resource,
        "region" => attributes.Region,
        _ => null,
    };
}
