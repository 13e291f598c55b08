using Tessera.Policies;

namespace Tessera.Decisions;

/// <summary>The attributes a decision request carries on each side, as dense indexes.</summary>
public enum AttributeSlot
{
    AccountId,
    ServiceName,
    ServiceInstance,
    ResourceGroupId,
    ResourceType,
    Resource,
    Region,
    IamId,
    AccessGroupId,
    /// <summary>
    /// An attribute a service defines for its own policies (the catalog's <c>attributes</c>), named by the constraint:
    /// never hashed, compared the slow way, so it is not counted in <see cref="AttributeSlots.Count"/>.
    /// </summary>
    ServiceDefined,
}

public static class AttributeSlots
{
    /// <summary>The slots a record hashes: every slot but <see cref="AttributeSlot.ServiceDefined"/>.</summary>
    public const int Count = 9;

    public static bool TryFromName(string name, out AttributeSlot slot)
    {
        (var known, slot) = name switch
        {
            AttributeNames.AccountId => (true, AttributeSlot.AccountId),
            AttributeNames.ServiceName => (true, AttributeSlot.ServiceName),
            AttributeNames.ServiceInstance => (true, AttributeSlot.ServiceInstance),
            AttributeNames.ResourceGroupId => (true, AttributeSlot.ResourceGroupId),
            AttributeNames.ResourceType => (true, AttributeSlot.ResourceType),
            AttributeNames.Resource => (true, AttributeSlot.Resource),
            AttributeNames.Region => (true, AttributeSlot.Region),
            AttributeNames.IamId => (true, AttributeSlot.IamId),
            AttributeNames.AccessGroupId => (true, AttributeSlot.AccessGroupId),
            _ => (false, AttributeSlot.AccountId),
        };
        return known;
    }

    public static string Name(this AttributeSlot slot) => slot switch
    {
        AttributeSlot.AccountId => AttributeNames.AccountId,
        AttributeSlot.ServiceName => AttributeNames.ServiceName,
        AttributeSlot.ServiceInstance => AttributeNames.ServiceInstance,
        AttributeSlot.ResourceGroupId => AttributeNames.ResourceGroupId,
        AttributeSlot.ResourceType => AttributeNames.ResourceType,
        AttributeSlot.Resource => AttributeNames.Resource,
        AttributeSlot.Region => AttributeNames.Region,
        AttributeSlot.IamId => AttributeNames.IamId,
        AttributeSlot.AccessGroupId => AttributeNames.AccessGroupId,
        _ => throw new ArgumentOutOfRangeException(nameof(slot), slot, "a service-defined attribute is named by its constraint"),
    };
}
