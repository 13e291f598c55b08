using Tessera.Model;
using Tessera.Policies;

namespace Tessera.Storage;

/// <summary>
/// What a policy is bound to, kept in indexed columns so that a removal finds the policies it cascades to (R7): the
/// identity or access group an access policy grants to, the source and target instance GUIDs (a CRN is reduced to its
/// GUID), and the instance that created it as a delegator (its creator is then that instance's CRN).
/// </summary>
public sealed record PolicyBindings(string? SubjectId, string? SourceInstance, string? TargetInstance, string? DelegatorInstance)
{
    public static PolicyBindings Of(Policy policy) => new(
        policy.SubjectValue(AttributeNames.IamId) ?? policy.SubjectValue(AttributeNames.AccessGroupId),
        Instance(policy.SubjectValue(AttributeNames.ServiceInstance)),
        Instance(policy.ResourceValue(AttributeNames.ServiceInstance)),
        policy.CreatedById.StartsWith("crn:", StringComparison.Ordinal) && Crn.TryParse(policy.CreatedById, out var creator, out _)
            && creator.ServiceInstance.Length > 0 ? creator.ServiceInstance : null);

    /// <summary>
    /// Whether the policy names the resource group <paramref name="groupId"/>: as its source's or target's group, or as
    /// the resource group it targets (<c>resourceType</c> <c>resource-group</c>); deleting the group deletes it (R7).
    /// </summary>
    public static bool NamesResourceGroup(Policy policy, string groupId) =>
        policy.SubjectValue(AttributeNames.ResourceGroupId) == groupId
        || policy.ResourceValue(AttributeNames.ResourceGroupId) == groupId
        || (policy.ResourceValue(AttributeNames.ResourceType) == Crn.ResourceGroupType && policy.ResourceValue(AttributeNames.Resource) == groupId);

    private static string? Instance(string? value) => value is null ? null : Crn.InstanceGuid(value);
}
