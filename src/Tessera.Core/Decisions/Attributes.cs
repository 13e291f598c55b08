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
    string? AccessGroupId = null,
    ServiceAttributes? ServiceDefined = null)
{
    /// <summary>The request's value for what <paramref name="constraint"/> constrains.</summary>
    internal string? Value(in Constraint constraint) =>
        constraint.Slot == AttributeSlot.ServiceDefined ? ServiceDefined?.Find(constraint.Name!) : Get(constraint.Slot);

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
        AttributeSlot.AccessGroupId => AccessGroupId,
        _ => null,
    };
}

/// <summary>
/// The attributes a request carries beyond the standard ones (AuthZEN <c>properties</c> with other names), which
/// service-defined policy attributes are compared with. Made only for a request that has some.
/// </summary>
public sealed class ServiceAttributes(IReadOnlyList<KeyValuePair<string, string>> values)
{
    public IReadOnlyList<KeyValuePair<string, string>> Values { get; } = values;

    public string? Find(string name)
    {
        foreach (var (key, value) in Values)
        {
            if (key == name)
                return value;
        }
        return null;
    }
}

/// <summary>May <see cref="Subject"/> do <see cref="Action"/> on <see cref="Resource"/>?</summary>
public readonly record struct DecisionRequest(Attributes Subject, string Action, Attributes Resource);
