using System.Collections.Frozen;

namespace Tessera.Policies;

public static class AttributeNames
{
    public const string AccountId = "accountId";
    public const string ServiceName = "serviceName";
    public const string ServiceInstance = "serviceInstance";
    public const string ResourceGroupId = "resourceGroupId";
    public const string ResourceType = "resourceType";
    public const string Resource = "resource";
    public const string Region = "region";
    /// <summary>An access policy's subject: one user or service ID.</summary>
    public const string IamId = "iam_id";
    /// <summary>An access policy's subject: every member of one access group.</summary>
    public const string AccessGroupId = "access_group_id";

    /// <summary>The attributes an authorization's subject, or any policy's resource, may constrain (IBM's documented set).</summary>
    public static readonly FrozenSet<string> Authorization = FrozenSet.Create(StringComparer.Ordinal,
        AccountId, ServiceName, ServiceInstance, ResourceGroupId, ResourceType, Resource, Region);
}
