using System.Globalization;

namespace Tessera.Policies;

/// <summary>
/// A v2 policy's <c>rule</c>: one condition on the time of the decision, or conditions joined by <c>and</c> / <c>or</c>
/// (IBM nests them at most two deep). A policy with a rule grants only while its rule holds; it is decided at decision time.
/// </summary>
public abstract record PolicyRule
{
    /// <summary>The rule keys IBM defines for time-based conditions.</summary>
    public const string CurrentTime = "{{environment.attributes.current_time}}";
    public const string CurrentDateTime = "{{environment.attributes.current_date_time}}";
    public const string DayOfWeek = "{{environment.attributes.day_of_week}}";

    /// <summary>The patterns IBM defines for them; a rule needs one.</summary>
    public static readonly IReadOnlyList<string> Patterns =
        ["time-based-conditions:once", "time-based-conditions:weekly:all-day", "time-based-conditions:weekly:custom-hours", "time-based-conditions:weekly"];

    /// <summary>How deep conditions nest, the rule itself counting as one.</summary>
    public abstract int Depth { get; }
}

/// <summary>
/// One condition: <see cref="Key"/> compared with <see cref="Values"/> (one value, or the list of <c>dayOfWeekAnyOf</c>).
/// <see cref="ValueIsList"/> remembers whether the client sent a list, to echo it as sent.
/// </summary>
public sealed record RuleCondition(string Key, RuleOperator Operator, IReadOnlyList<string> Values, bool ValueIsList) : PolicyRule
{
    public override int Depth => 1;

    public bool Equals(RuleCondition? other) =>
        other is not null && (Key, Operator, ValueIsList) == (other.Key, other.Operator, other.ValueIsList) && Values.SequenceEqual(other.Values);

    public override int GetHashCode() => HashCode.Combine(Key, Operator);
}

/// <summary>Conditions of which all (<c>and</c>) or any (<c>or</c>) must hold.</summary>
public sealed record RuleCombination(bool All, IReadOnlyList<PolicyRule> Conditions) : PolicyRule
{
    public override int Depth => 1 + (Conditions.Count == 0 ? 0 : Conditions.Max(c => c.Depth));

    public bool Equals(RuleCombination? other) => other is not null && All == other.All && Conditions.SequenceEqual(other.Conditions);

    public override int GetHashCode() => HashCode.Combine(All, Conditions.Count);
}

public enum RuleOperator
{
    TimeLessThan,
    TimeLessThanOrEquals,
    TimeGreaterThan,
    TimeGreaterThanOrEquals,
    DateTimeLessThan,
    DateTimeLessThanOrEquals,
    DateTimeGreaterThan,
    DateTimeGreaterThanOrEquals,
    DayOfWeekEquals,
    DayOfWeekAnyOf,
}

public static class RuleOperators
{
    private static readonly (RuleOperator Operator, string Wire)[] Names =
    [
        (RuleOperator.TimeLessThan, "timeLessThan"), (RuleOperator.TimeLessThanOrEquals, "timeLessThanOrEquals"),
        (RuleOperator.TimeGreaterThan, "timeGreaterThan"), (RuleOperator.TimeGreaterThanOrEquals, "timeGreaterThanOrEquals"),
        (RuleOperator.DateTimeLessThan, "dateTimeLessThan"), (RuleOperator.DateTimeLessThanOrEquals, "dateTimeLessThanOrEquals"),
        (RuleOperator.DateTimeGreaterThan, "dateTimeGreaterThan"), (RuleOperator.DateTimeGreaterThanOrEquals, "dateTimeGreaterThanOrEquals"),
        (RuleOperator.DayOfWeekEquals, "dayOfWeekEquals"), (RuleOperator.DayOfWeekAnyOf, "dayOfWeekAnyOf"),
    ];

    public static IEnumerable<string> WireNames => Names.Select(n => n.Wire);

    public static string ToWire(this RuleOperator op) => Names.First(n => n.Operator == op).Wire;

    public static bool TryParse(string? text, out RuleOperator op)
    {
        foreach (var (candidate, wire) in Names)
        {
            if (wire == text)
            {
                op = candidate;
                return true;
            }
        }
        op = default;
        return false;
    }

    public static bool IsTime(this RuleOperator op) => op <= RuleOperator.TimeGreaterThanOrEquals;

    public static bool IsDateTime(this RuleOperator op) => op is >= RuleOperator.DateTimeLessThan and <= RuleOperator.DateTimeGreaterThanOrEquals;

    /// <summary>
    /// A time of day with its offset, as IBM writes it: <c>09:00:00+00:00</c> (seconds optional, <c>Z</c> for UTC).
    /// </summary>
    public static bool TryParseTime(string text, out TimeSpan timeOfDay, out TimeSpan offset)
    {
        timeOfDay = offset = default;
        var split = text.Length > 0 && text[^1] == 'Z' ? text.Length - 1 : text.LastIndexOfAny(['+', '-']);
        return split > 0
            && TryParseOffset(text[split..], out offset)
            && TimeSpan.TryParseExact(text[..split], ["hh\\:mm\\:ss", "hh\\:mm"], CultureInfo.InvariantCulture, out timeOfDay)
            && timeOfDay < TimeSpan.FromDays(1);
    }

    /// <summary>An instant with its offset (ISO 8601, the offset required): <c>2026-12-23T00:00:00+00:00</c>.</summary>
    public static bool TryParseDateTime(string text, out DateTimeOffset instant) =>
        DateTimeOffset.TryParseExact(text, ["yyyy-MM-dd'T'HH:mm:sszzz", "yyyy-MM-dd'T'HH:mm:ss'Z'", "yyyy-MM-dd'T'HH:mmzzz", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzzz"],
            CultureInfo.InvariantCulture, DateTimeStyles.None, out instant);

    /// <summary>An ISO day of the week (1 Monday … 7 Sunday) with an optional offset: <c>1+00:00</c> or <c>1</c>.</summary>
    public static bool TryParseDay(string text, out int day, out TimeSpan offset)
    {
        offset = default;
        day = text.Length > 0 ? text[0] - '0' : 0;
        return day is >= 1 and <= 7 && (text.Length == 1 || TryParseOffset(text[1..], out offset));
    }

    private static bool TryParseOffset(string text, out TimeSpan offset)
    {
        offset = default;
        if (text == "Z")
            return true;
        if (text.Length != 6 || text[0] is not ('+' or '-') || text[3] != ':'
            || !TimeSpan.TryParseExact(text[1..], "hh\\:mm", CultureInfo.InvariantCulture, out var magnitude) || magnitude > TimeSpan.FromHours(14))
            return false;
        offset = text[0] == '-' ? -magnitude : magnitude;
        return true;
    }
}
