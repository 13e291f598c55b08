using Tessera.Policies;

namespace Tessera.Decisions;

/// <summary>
/// One compiled attribute constraint. Values are compared as strings: an ordinal comparison of two short strings is
/// cheaper than hashing the request's string to look up an id, and most constraints are read once per check.
/// </summary>
internal readonly record struct Constraint(AttributeSlot Slot, AttributeOperator Operator, string Value, bool IsSubject)
{
    public bool Matches(string? requestValue) => Operator switch
    {
        AttributeOperator.StringEquals => string.Equals(requestValue, Value, StringComparison.Ordinal),
        AttributeOperator.StringMatch => requestValue is not null && Wildcard.IsMatch(Value, requestValue),
        AttributeOperator.StringExists => (requestValue is not null) == (Value == "true"),
        _ => false,
    };
}
