namespace Tessera.Policies;

public enum AttributeOperator
{
    StringEquals,
    StringMatch,
    StringExists,
    /// <summary>Equal to any of <see cref="AttributeConstraint.Values"/> (v2 only).</summary>
    StringEqualsAnyOf,
    /// <summary>Matches any of <see cref="AttributeConstraint.Values"/>, each with <c>*</c> and <c>?</c> (v2 only).</summary>
    StringMatchAnyOf,
}

public static class AttributeOperators
{
    public static string ToWire(this AttributeOperator op) => op switch
    {
        AttributeOperator.StringEquals => "stringEquals",
        AttributeOperator.StringMatch => "stringMatch",
        AttributeOperator.StringExists => "stringExists",
        AttributeOperator.StringEqualsAnyOf => "stringEqualsAnyOf",
        AttributeOperator.StringMatchAnyOf => "stringMatchAnyOf",
        _ => throw new ArgumentOutOfRangeException(nameof(op), op, null),
    };

    public static bool TryParse(string? text, out AttributeOperator op)
    {
        switch (text)
        {
            case "stringEquals": op = AttributeOperator.StringEquals; return true;
            case "stringMatch": op = AttributeOperator.StringMatch; return true;
            case "stringExists": op = AttributeOperator.StringExists; return true;
            case "stringEqualsAnyOf": op = AttributeOperator.StringEqualsAnyOf; return true;
            case "stringMatchAnyOf": op = AttributeOperator.StringMatchAnyOf; return true;
            default: op = default; return false;
        }
    }

    /// <summary>Whether the operator takes a list of values rather than one.</summary>
    public static bool TakesList(this AttributeOperator op) => op is AttributeOperator.StringEqualsAnyOf or AttributeOperator.StringMatchAnyOf;
}
