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
}

public static class AttributeSlots
{
    public const int Count = 7;

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
        _ => AttributeNames.Region,
    };
}
