namespace Tessera.Policies;

/// <summary>
/// One constraint of a policy's subject or resource. <see cref="OperatorGiven"/> remembers whether the client wrote the
/// operator, because IBM's SDK tests expect the attributes echoed exactly as sent. <see cref="Value"/> is the one value
/// (<c>"true"</c> or <c>"false"</c> for <c>stringExists</c>); the any-of operators keep theirs in <see cref="Values"/>,
/// and <see cref="Value"/> then holds them joined by commas, as the v1 view shows them.
/// </summary>
public sealed record AttributeConstraint(string Name, string Value, AttributeOperator Operator, bool OperatorGiven)
{
    /// <summary>The values of <c>stringEqualsAnyOf</c> and <c>stringMatchAnyOf</c>; empty for every other operator.</summary>
    public IReadOnlyList<string> Values { get; init; } = [];

    /// <summary>A constraint with a list of values.</summary>
    public static AttributeConstraint AnyOf(string name, AttributeOperator op, IReadOnlyList<string> values) =>
        new(name, string.Join(',', values), op, true) { Values = values };

    // A record compares lists by reference; a constraint is a value.
    public bool Equals(AttributeConstraint? other) =>
        other is not null && (Name, Value, Operator, OperatorGiven) == (other.Name, other.Value, other.Operator, other.OperatorGiven)
        && Values.SequenceEqual(other.Values);

    public override int GetHashCode() => HashCode.Combine(Name, Value, Operator);
}
