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

    /// <summary>The attributes an authorization's subject or resource may constrain (IBM's documented set).</summary>
    public static readonly FrozenSet<string> Authorization = FrozenSet.Create(StringComparer.Ordinal,
        AccountId, ServiceName, ServiceInstance, ResourceGroupId, ResourceType, Resource, Region);
}
