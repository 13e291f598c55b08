using Tessera.Decisions;
using Tessera.Policies;

namespace Tessera.Core.Tests;

/// <summary>The decision index counts each policy's permits on the hot path; taking them off it loses none across a replace.</summary>
public class PermitCountingTests
{
    private static readonly Dictionary<string, IReadOnlyList<string>> Roles = new() { ["role:Reader"] = ["svc.read"] };

    [Fact]
    public void Permits_AreCountedPerPolicy_TakenOnce_AndKeptAcrossAReplaceAndADelete()
    {
        var index = new DecisionIndex(new TableRoleActions(Roles));
        var (kept, replaced) = (Grant("kept", "i1"), Grant("replaced", "i2"));
        index.Apply(1, [kept, replaced]);
        for (var i = 0; i < 3; i++)
            Assert.True(index.Check(Request("i1")).Permit);
        Assert.True(index.Check(Request("i2")).Permit);
        Assert.False(index.Check(Request("i3")).Permit);

        index.Apply(2, [replaced with { Description = "new version" }]);
        Assert.True(index.Check(Request("i2")).Permit);
        index.Apply(3, [kept with { State = PolicyState.Deleted }]);

        var taken = new List<PermitTally>();
        index.TakePermits(taken);
        var counts = taken.GroupBy(t => t.PolicyId!).ToDictionary(g => g.Key, g => g.Sum(t => t.Count));
        Assert.Equal(new Dictionary<string, long> { ["kept"] = 3, ["replaced"] = 2 }, counts);
        Assert.All(taken, t => Assert.InRange(t.LastTick, Environment.TickCount64 - 60_000, Environment.TickCount64));

        taken.Clear();
        index.TakePermits(taken);
        Assert.Empty(taken);
    }

    private static DecisionRequest Request(string instance) =>
        new(new Attributes("A", "src"), "svc.read", new Attributes("B", "svc", instance));

    private static Policy Grant(string id, string instance) => DecisionTestKit.Policy(id,
        new Dictionary<string, string> { ["accountId"] = "A", ["serviceName"] = "src" }, ["role:Reader"],
        new Dictionary<string, string> { ["accountId"] = "B", ["serviceName"] = "svc", ["serviceInstance"] = instance });
}
