namespace Tessera.Policies;

/// <summary>The lowercase names IBM uses for policy types and states on the wire and in the store.</summary>
public static class PolicyWireNames
{
    public static string ToWire(this PolicyType type) => type == PolicyType.Authorization ? "authorization" : "access";

    public static string ToWire(this PolicyState state) => state == PolicyState.Active ? "active" : "deleted";

    public static PolicyType ParseType(string text) =>
        TryParseType(text, out var type) ? type : throw new FormatException($"'{text}' is not a policy type");

    public static PolicyState ParseState(string text) =>
        TryParseState(text, out var state) ? state : throw new FormatException($"'{text}' is not a policy state");

    public static bool TryParseType(string? text, out PolicyType type)
    {
        type = text == "authorization" ? PolicyType.Authorization : PolicyType.Access;
        return text is "authorization" or "access";
    }

    public static bool TryParseState(string? text, out PolicyState state)
    {
        state = text == "deleted" ? PolicyState.Deleted : PolicyState.Active;
        return text is "active" or "deleted";
    }
}
