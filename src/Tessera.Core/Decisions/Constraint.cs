using Tessera.Policies;

namespace Tessera.Decisions;

/// <summary>One compiled attribute constraint: the slot it reads, the interned value, and the raw value for patterns and explanations.</summary>
internal readonly record struct Constraint(AttributeSlot Slot, AttributeOperator Operator, int ValueId, string Value)
{
    public bool Matches(int requestValueId, string? requestValue) => Operator switch
    {
        AttributeOperator.StringEquals => requestValueId == ValueId && requestValueId != StringIds.Missing,
        AttributeOperator.StringMatch => requestValue is not null && Wildcard.IsMatch(Value, requestValue),
        AttributeOperator.StringExists => (requestValue is not null) == (Value == "true"),
        _ => false,
    };
}
