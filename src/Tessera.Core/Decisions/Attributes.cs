namespace Tessera.Decisions;

/// <summary>
/// One side of a decision request: the concrete attributes of the caller or of the resource. Absent = null. A user or
/// service ID is named by <see cref="IamId"/>; each of its access groups is checked as <see cref="AccessGroupId"/>.
/// </summary>
public readonly record struct Attributes(
    string? AccountId = null,
    string? ServiceName = null,
    string? ServiceInstance = null,
    string? ResourceGroupId = null,
    string? ResourceType = null,
    string? Resource = null,
    string? Region = null,
    string? IamId = null,
    string? AccessGroupId = null)
{
    public string? Get(AttributeSlot slot) => slot switch
    {
        AttributeSlot.AccountId => AccountId,
        AttributeSlot.ServiceName => ServiceName,
        AttributeSlot.ServiceInstance => ServiceInstance,
        AttributeSlot.ResourceGroupId => ResourceGroupId,
        AttributeSlot.ResourceType => ResourceType,
        AttributeSlot.Resource => Resource,
        AttributeSlot.Region => Region,
        AttributeSlot.IamId => IamId,
        _ => AccessGroupId,
    };
}

/// <summary>May <see cref="Subject"/> do <see cref="Action"/> on <see cref="Resource"/>?</summary>
public readonly record struct DecisionRequest(Attributes Subject, string Action, Attributes Resource);
