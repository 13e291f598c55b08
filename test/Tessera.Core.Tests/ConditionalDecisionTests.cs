using Tessera.Decisions;
using Tessera.Policies;

namespace Tessera.Core.Tests;

/// <summary>The v2 additions to deciding: the any-of operators, stringExists, and time-based rules read at decision time.</summary>
public class ConditionalDecisionTests
{
    private static readonly Dictionary<string, IReadOnlyList<string>> Roles = new() { ["role:Reader"] = ["svc.read"] };
    private static readonly Dictionary<string, string> Source = new() { ["accountId"] = "A", ["serviceName"] = "src" };

    [Fact]
    public void AnyOfOperators_PermitAnyListedValue_AndNothingElse()
    {
        var index = new DecisionIndex(new TableRoleActions(Roles));
        var policy = Grant("p1") with
        {
            Resource =
            [
                .. Grant("p1").Resource,
                AttributeConstraint.AnyOf("resourceType", AttributeOperator.StringEqualsAnyOf, ["bucket", "object"]),
                AttributeConstraint.AnyOf("resource", AttributeOperator.StringMatchAnyOf, ["logs-*", "audit-??"]),
            ],
        };
        index.Apply(1, [policy]);

        Assert.True(Check(index, ("bucket", "logs-2026")).Permit);
        Assert.True(Check(index, ("object", "audit-01")).Permit);
        Assert.False(Check(index, ("key", "logs-2026")).Permit);
        Assert.False(Check(index, ("bucket", "audit-001")).Permit);
        Assert.False(Check(index, (null, "logs-1")).Permit);
    }

    [Fact]
    public void StringExists_RequiresTheAttributeToBePresent_OrAbsent()
    {
        var index = new DecisionIndex(new TableRoleActions(Roles));
        index.Apply(1, [Grant("present") with { Subject = [.. Grant("x").Subject, new("resourceGroupId", "true", AttributeOperator.StringExists, true)] }]);

        var inGroup = new DecisionRequest(new Attributes("A", "src", ResourceGroupId: "rg1"), "svc.read", new Attributes("B", "svc"));
        Assert.True(index.Check(inGroup).Permit);
        Assert.False(index.Check(inGroup with { Subject = new Attributes("A", "src") }).Permit);
    }

    [Theory]
    // Monday to Friday, 09:00 to 17:00 at UTC+01:00.
    [InlineData("2026-12-07T08:00:00+00:00", true)]  // Monday 09:00 local
    [InlineData("2026-12-07T16:00:00.5+00:00", true)] // Monday 17:00:00.5 local: the end is inclusive to the second
    [InlineData("2026-12-07T16:00:01+00:00", false)] // Monday 17:00:01 local
    [InlineData("2026-12-07T07:59:59+00:00", false)] // Monday 08:59:59 local
    [InlineData("2026-12-05T10:00:00+00:00", false)] // Saturday
    [InlineData("2026-12-06T23:30:00+00:00", false)] // Sunday 23:30 UTC: Monday 00:30 local, the right day but not the hours
    public void AWeeklyRule_GrantsOnlyInItsHours_InItsTimeZone(string now, bool expected)
    {
        var clock = new FixedClock(DateTimeOffset.Parse(now, System.Globalization.CultureInfo.InvariantCulture));
        var index = new DecisionIndex(new TableRoleActions(Roles), clock);
        index.Apply(1, [Grant("weekly") with
        {
            Pattern = "time-based-conditions:weekly:custom-hours",
            Rule = new RuleCombination(true,
            [
                new RuleCondition(PolicyRule.DayOfWeek, RuleOperator.DayOfWeekAnyOf, ["1+01:00", "2+01:00", "3+01:00", "4+01:00", "5+01:00"], true),
                new RuleCondition(PolicyRule.CurrentTime, RuleOperator.TimeGreaterThanOrEquals, ["09:00:00+01:00"], false),
                new RuleCondition(PolicyRule.CurrentTime, RuleOperator.TimeLessThanOrEquals, ["17:00:00+01:00"], false),
            ]),
        }]);

        var decision = Check(index, (null, null));

        Assert.Equal(expected, decision.Permit);
        Assert.Equal(expected ? DenyReason.None : DenyReason.OutsideItsConditions, decision.Reason);
    }

    [Fact]
    public void AOnceRule_GrantsBetweenItsInstants_AndTheExplanationSaysWhyNot()
    {
        var clock = new FixedClock(new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero));
        var index = new DecisionIndex(new TableRoleActions(Roles), clock);
        index.Apply(1, [Grant("once") with
        {
            Pattern = "time-based-conditions:once",
            Rule = new RuleCombination(true,
            [
                new RuleCondition(PolicyRule.CurrentDateTime, RuleOperator.DateTimeGreaterThanOrEquals, ["2026-12-01T00:00:00+00:00"], false),
                new RuleCondition(PolicyRule.CurrentDateTime, RuleOperator.DateTimeLessThan, ["2026-12-02T00:00:00+00:00"], false),
            ]),
        }]);

        Assert.True(Check(index, (null, null)).Permit);
        clock.Now = new DateTimeOffset(2026, 12, 2, 0, 0, 0, TimeSpan.Zero);
        Assert.Equal(DenyReason.OutsideItsConditions, Check(index, (null, null)).Reason);
        var explanation = index.Explain(Request((null, null)));
        Assert.Contains("its time-based conditions do not hold now", Assert.Single(explanation.ClosestPolicies).Mismatches);
    }

    private static Decision Check(DecisionIndex index, (string? Type, string? Resource) target) => index.Check(Request(target));

    private static DecisionRequest Request((string? Type, string? Resource) target) =>
        new(new Attributes("A", "src"), "svc.read", new Attributes("B", "svc", ResourceType: target.Type, Resource: target.Resource));

    private static Policy Grant(string id) =>
        DecisionTestKit.Policy(id, Source, ["role:Reader"], new Dictionary<string, string> { ["accountId"] = "B", ["serviceName"] = "svc" });

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
