using Tessera.Policies;

namespace Tessera.Decisions;

/// <summary>
/// One compiled attribute constraint. Values are compared as strings: an ordinal comparison of two short strings is
/// cheaper than hashing the request's string to look up an id, and most constraints are read once per check. The
/// any-of operators compare against <see cref="AnyOf"/>.
/// </summary>
internal readonly record struct Constraint(AttributeSlot Slot, AttributeOperator Operator, string Value, bool IsSubject, string[]? AnyOf = null,
    string? Name = null)
{
    /// <summary>The attribute's name: the slot's, or a service-defined attribute's own.</summary>
    public string AttributeName => Slot == AttributeSlot.ServiceDefined ? Name! : Slot.Name();

    public bool Matches(string? requestValue)
    {
        switch (Operator)
        {
            case AttributeOperator.StringEquals:
                return string.Equals(requestValue, Value, StringComparison.Ordinal);
            case AttributeOperator.StringMatch:
                return requestValue is not null && Wildcard.IsMatch(Value, requestValue);
            case AttributeOperator.StringExists:
                return (requestValue is not null) == (Value == "true");
            case AttributeOperator.StringEqualsAnyOf when requestValue is not null:
                foreach (var candidate in AnyOf!)
                {
                    if (string.Equals(requestValue, candidate, StringComparison.Ordinal))
                        return true;
                }
                return false;
            case AttributeOperator.StringMatchAnyOf when requestValue is not null:
                foreach (var candidate in AnyOf!)
                {
                    if (Wildcard.IsMatch(candidate, requestValue))
                        return true;
                }
                return false;
            default:
                return false;
        }
    }
}
