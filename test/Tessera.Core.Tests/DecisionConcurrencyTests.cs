using Tessera.Decisions;

namespace Tessera.Core.Tests;

public class DecisionConcurrencyTests
{
    private static readonly Dictionary<string, IReadOnlyList<string>> Roles = new() { ["role:Reader"] = ["svc.read"] };

    [Fact]
    public async Task Readers_NeverSeeAHalfAppliedWrite()
    {
        // The policy moves between the service-wide bucket and the instance bucket on every write. Both forms permit
        // the request, so a reader sees a deny only if a write were visible half-applied (removed, not yet added).
        var index = new DecisionIndex(new TableRoleActions(Roles));
        var subject = new Dictionary<string, string> { ["accountId"] = "A", ["serviceName"] = "src" };
        var wide = DecisionTestKit.Policy("moving", subject, ["role:Reader"], new Dictionary<string, string> { ["accountId"] = "A", ["serviceName"] = "svc" });
        var narrow = DecisionTestKit.Policy("moving", subject, ["role:Reader"],
            new Dictionary<string, string> { ["accountId"] = "A", ["serviceName"] = "svc", ["serviceInstance"] = "i1" });
        index.Apply(1, [wide]);
        var request = new DecisionRequest(new Attributes("A", "src"), "svc.read", new Attributes("A", "svc", "i1"));
        using var stop = new CancellationTokenSource();
        var denies = 0L;
        var checks = 0L;

        var readers = Enumerable.Range(0, 2).Select(_ => Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                if (!index.Check(request).Permit)
                    Interlocked.Increment(ref denies);
                Interlocked.Increment(ref checks);
            }
        })).ToArray();
        var writer = Task.Run(() =>
        {
            for (var revision = 2L; revision < 3_000; revision++)
                index.Apply(revision, [revision % 2 == 0 ? narrow : wide]);
        });

        await writer;
        await stop.CancelAsync();
        await Task.WhenAll(readers);

        Assert.Equal(0, denies);
        Assert.True(checks > 1000, $"only {checks} checks ran");
    }

    [Fact]
    public async Task AfterAWriteReturns_EveryReaderSeesIt()
    {
        var index = new DecisionIndex(new TableRoleActions(Roles));
        var writeGate = new Lock();
        var revision = 0L;
        var failures = 0;

        // Writers take revisions in order, as the store hands them out under its write gate.
        await Task.WhenAll(Enumerable.Range(0, 4).Select(writer => Task.Run(() =>
        {
            for (var i = 0; i < 500; i++)
            {
                var instance = $"w{writer}-i{i}";
                var policy = DecisionTestKit.Policy(instance, new Dictionary<string, string> { ["accountId"] = "A", ["serviceName"] = "src" }, ["role:Reader"],
                    new Dictionary<string, string> { ["accountId"] = "A", ["serviceName"] = "svc", ["serviceInstance"] = instance });
                lock (writeGate)
                    index.Apply(++revision, [policy]);

                var request = new DecisionRequest(new Attributes("A", "src"), "svc.read", new Attributes("A", "svc", instance));
                if (!index.Check(request).Permit)
                    Interlocked.Increment(ref failures);
                var deleted = policy with { State = Policies.PolicyState.Deleted };
                lock (writeGate)
                    index.Apply(++revision, [deleted]);
                if (index.Check(request).Permit)
                    Interlocked.Increment(ref failures);
            }
        })));

        Assert.Equal(0, failures);
        Assert.Equal(0, index.Count);
    }

    [Fact]
    public async Task AnExplanation_IsOfTheSameRevisionAsItsDecision()
    {
        // A writer grants and revokes the permitting policy in turn; an explanation taken meanwhile must agree with its
        // own decision: a permit lists a policy that matches in full, a deny lists none.
        var index = new DecisionIndex(new TableRoleActions(Roles));
        var policy = DecisionTestKit.Policy("flapping", new Dictionary<string, string> { ["accountId"] = "A", ["serviceName"] = "src" }, ["role:Reader"],
            new Dictionary<string, string> { ["accountId"] = "A", ["serviceName"] = "svc" });
        var revoked = policy with { State = Policies.PolicyState.Deleted };
        var request = new DecisionRequest(new Attributes("A", "src"), "svc.read", new Attributes("A", "svc", "i1"));
        using var stop = new CancellationTokenSource();
        var disagreements = 0L;
        var explanations = 0L;

        var reader = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                var explanation = index.Explain(request);
                if (explanation.Decision.Permit != explanation.ClosestPolicies.Any(p => p.Mismatches.Count == 0))
                    Interlocked.Increment(ref disagreements);
                Interlocked.Increment(ref explanations);
            }
        });
        var writer = Task.Run(() =>
        {
            for (var revision = 1L; revision < 20_000; revision++)
                index.Apply(revision, [revision % 2 == 1 ? policy : revoked]);
        });

        await writer;
        await stop.CancelAsync();
        await reader;

        Assert.Equal(0, disagreements);
        Assert.True(explanations > 100, $"only {explanations} explanations ran");
    }
}
