using System.Text.Json;
using Tessera.Decisions;
using Tessera.Policies;

namespace Tessera.Core.Tests;

/// <summary>Runs the decision cases in <c>DecisionCases/*.json</c>: writes applied in order, each check asserted.</summary>
public class DecisionCaseTests
{
    public static TheoryData<string> CaseFiles() =>
        new(Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "DecisionCases"), "*.json").Select(Path.GetFileName).Order()!);

    [Theory]
    [MemberData(nameof(CaseFiles))]
    public void Case(string file)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "DecisionCases", file)));
        var roles = document.RootElement.GetProperty("roles").EnumerateObject()
            .ToDictionary(r => r.Name, r => (IReadOnlyList<string>)r.Value.EnumerateArray().Select(a => a.GetString()!).ToArray());
        var index = new DecisionIndex(new TableRoleActions(roles));
        var active = new Dictionary<string, Policy>();
        var revision = 0L;
        var checks = 0;

        foreach (var step in document.RootElement.GetProperty("steps").EnumerateArray())
        {
            if (step.TryGetProperty("write", out var write))
            {
                var state = write.TryGetProperty("state", out var s) && s.GetString() == "deleted" ? PolicyState.Deleted : PolicyState.Active;
                var policy = DecisionTestKit.Policy(write.GetProperty("id").GetString()!, Map(write.GetProperty("subject")),
                    write.GetProperty("roles").EnumerateArray().Select(r => r.GetString()!).ToArray(), Map(write.GetProperty("resource")), state);
                index.Apply(++revision, [policy]);
                if (state == PolicyState.Active)
                    active[policy.Id] = policy;
                else
                    active.Remove(policy.Id);
                continue;
            }

            var check = step.GetProperty("check");
            var name = check.GetProperty("name").GetString();
            var request = new DecisionRequest(DecisionTestKit.Attributes(Map(check.GetProperty("subject"))), check.GetProperty("action").GetString()!,
                DecisionTestKit.Attributes(Map(check.GetProperty("resource"))));
            var expected = check.GetProperty("expect").GetBoolean();

            var decision = index.Check(request);

            Assert.True(expected == decision.Permit, $"{file}: '{name}' expected {expected}, got {decision}");
            Assert.True(expected == DecisionTestKit.Reference(active.Values, roles, request), $"{file}: '{name}' disagrees with the reference evaluator");
            if (check.TryGetProperty("policy", out var policyId))
                Assert.Equal(policyId.GetString(), decision.PolicyId);
            if (check.TryGetProperty("reason", out var reason))
                Assert.Equal(Enum.Parse<DenyReason>(reason.GetString()!), decision.Reason);
            checks++;
        }
        Assert.True(checks > 0);
    }

    private static Dictionary<string, string> Map(JsonElement element) =>
        element.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);
}
