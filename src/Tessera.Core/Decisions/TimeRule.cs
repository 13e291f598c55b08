using Tessera.Policies;

namespace Tessera.Decisions;

/// <summary>
/// A policy's rule, compiled for decision time: each value parsed once, so that deciding reads the clock once and
/// compares numbers. Takes no lock and allocates nothing.
/// </summary>
internal sealed class TimeRule
{
    private readonly bool _all;
    private readonly TimeRule[] _conditions;
    private readonly RuleOperator _operator;
    // One entry per value: a time of day or an instant (as ticks) or a day of the week (1 Monday … 7 Sunday), with its offset.
    private readonly (long Ticks, TimeSpan Offset)[] _values;

    private TimeRule(bool all, TimeRule[] conditions, RuleOperator op, (long, TimeSpan)[] values) =>
        (_all, _conditions, _operator, _values) = (all, conditions, op, values);

    /// <summary>Compiles a validated rule (see <see cref="PolicyValidator"/>): every value parses.</summary>
    public static TimeRule Compile(PolicyRule rule) => rule switch
    {
        RuleCombination combination => new TimeRule(combination.All, combination.Conditions.Select(Compile).ToArray(), default, []),
        RuleCondition condition => new TimeRule(false, [], condition.Operator, condition.Values.Select(v => Parse(condition.Operator, v)).ToArray()),
        _ => throw new ArgumentOutOfRangeException(nameof(rule)),
    };

    public bool HoldsAt(DateTimeOffset now)
    {
        if (_conditions.Length > 0)
        {
            foreach (var condition in _conditions)
            {
                if (condition.HoldsAt(now) != _all)
                    return !_all;
            }
            return _all;
        }
        foreach (var (ticks, offset) in _values)
        {
            if (Holds(now, ticks, offset))
                return true;
        }
        return false;
    }

    private bool Holds(DateTimeOffset now, long ticks, TimeSpan offset)
    {
        if (_operator.IsDateTime())
            return Compare(now.UtcTicks, ticks);
        var local = now.ToOffset(offset);
        return _operator.IsTime() ? Compare(local.TimeOfDay.Ticks, ticks) : IsoDay(local.DayOfWeek) == ticks;
    }

    private bool Compare(long actual, long bound) => _operator switch
    {
        RuleOperator.TimeLessThan or RuleOperator.DateTimeLessThan => actual < bound,
        RuleOperator.TimeLessThanOrEquals or RuleOperator.DateTimeLessThanOrEquals => actual <= bound,
        RuleOperator.TimeGreaterThan or RuleOperator.DateTimeGreaterThan => actual > bound,
        _ => actual >= bound,
    };

    private static int IsoDay(DayOfWeek day) => day == DayOfWeek.Sunday ? 7 : (int)day;

    private static (long, TimeSpan) Parse(RuleOperator op, string value)
    {
        // Bounds are written to the second: "until 17:00:00 inclusive" still holds during 17:00:00.5.
        var inclusiveEnd = op is RuleOperator.TimeLessThanOrEquals or RuleOperator.DateTimeLessThanOrEquals ? TimeSpan.TicksPerSecond - 1 : 0;
        if (op.IsDateTime())
            return RuleOperators.TryParseDateTime(value, out var instant) ? (instant.UtcTicks + inclusiveEnd, TimeSpan.Zero) : throw Invalid(value);
        if (op.IsTime())
            return RuleOperators.TryParseTime(value, out var time, out var offset) ? (time.Ticks + inclusiveEnd, offset) : throw Invalid(value);
        return RuleOperators.TryParseDay(value, out var day, out var dayOffset) ? (day, dayOffset) : throw Invalid(value);
    }

    private static FormatException Invalid(string value) => new($"rule value '{value}' was not validated");
}
