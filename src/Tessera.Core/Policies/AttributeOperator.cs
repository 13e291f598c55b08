namespace Tessera.Policies;

public enum AttributeOperator
{
    StringEquals,
    StringMatch,
    StringExists,
}

public static class AttributeOperators
{
    public static string ToWire(this AttributeOperator op) => op switch
    {
        AttributeOperator.StringEquals => "stringEquals",
        AttributeOperator.StringMatch => "stringMatch",
        AttributeOperator.StringExists => "stringExists",
        _ => throw new ArgumentOutOfRangeException(nameof(op), op, null),
    };

    public static bool TryParse(string? text, out AttributeOperator op)
    {
        switch (text)
        {
            case "stringEquals": op = AttributeOperator.StringEquals; return true;
            case "stringMatch": op = AttributeOperator.StringMatch; return true;
            case "stringExists": op = AttributeOperator.StringExists; return true;
            default: op = default; return false;
        }
    }
}
