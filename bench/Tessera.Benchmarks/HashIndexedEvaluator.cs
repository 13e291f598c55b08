using Tessera.Decisions;

namespace Tessera.Benchmarks;

/// <summary>
/// The plain way to answer a check, kept as the baseline the engine is measured against (and as the generator's
/// oracle): policies in a dictionary keyed by "target account|service", each compared attribute by attribute as
/// strings, roles looked up in a dictionary of action sets.
/// </summary>
public sealed class HashIndexedEvaluator
{
    private readonly Dictionary<string, List<WorkloadPolicy>> _byTarget = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<string>> _roleActions;

    public HashIndexedEvaluator(Workload workload)
    {
        _roleActions = workload.Roles.ToDictionary(r => r.Key, r => r.Value.ToHashSet(StringComparer.Ordinal), StringComparer.Ordinal);
        foreach (var policy in workload.Policies)
            Add(policy);
    }

    public void Add(WorkloadPolicy policy)
    {
        var resource = policy.Resources[0].Attributes;
        var key = resource.First(a => a.Name == "accountId").Value + "|" + resource.First(a => a.Name == "serviceName").Value;
        if (!_byTarget.TryGetValue(key, out var list))
            _byTarget[key] = list = [];
        list.Add(policy);
    }

    public bool Check(in DecisionRequest request)
    {
        if (!_byTarget.TryGetValue(request.Resource.AccountId + "|" + request.Resource.ServiceName, out var candidates))
            return false;
        foreach (var policy in candidates)
        {
            if (Matches(policy.Subjects[0].Attributes, request.Subject) && Matches(policy.Resources[0].Attributes, request.Resource))
            {
                foreach (var role in policy.Roles)
                {
                    if (_roleActions.TryGetValue(role.RoleId, out var actions) && actions.Contains(request.Action))
                        return true;
                }
            }
        }
        return false;
    }

    private static bool Matches(WorkloadConstraint[] attributes, in Attributes side)
    {
        foreach (var attribute in attributes)
        {
            var value = attribute.Name switch
            {
                "accountId" => side.AccountId,
                "serviceName" => side.ServiceName,
                "serviceInstance" => side.ServiceInstance,
                "resourceGroupId" => side.ResourceGroupId,
                "resourceType" => side.ResourceType,
                "resource" => side.Resource,
                "region" => side.Region,
                _ => null,
            };
            if (value != attribute.Value)
                return false;
        }
        return true;
    }
}
