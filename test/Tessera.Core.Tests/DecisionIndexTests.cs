using Tessera.Decisions;
using Tessera.Policies;

namespace Tessera.Core.Tests;

public class DecisionIndexTests
{
    private static readonly Dictionary<string, IReadOnlyList<string>> Roles = new()
    {
        ["role:Reader"] = ["svc.read", "svc.list"],
        ["role:Writer"] = ["svc.read", "svc.list", "svc.write"],
        ["role:Sender"] = ["svc.send"],
    };

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Differential_EngineAgreesWithTheReferenceOnRandomWorkloads(int seed)
    {
        var random = new Random(seed);
        var world = new World(random);
        var index = new DecisionIndex(new TableRoleActions(Roles));
        var active = new Dictionary<string, Policy>();
        var revision = 0L;
        var compared = 0;
        var permits = 0;

        for (var round = 0; round < 40; round++)
        {
            // A batch of writes: creates, deletes, replaces (sometimes several in one revision, as a cascade would be).
            var batch = new List<Policy>();
            for (var w = random.Next(1, 12); w > 0; w--)
            {
                if (active.Count > 0 && random.Next(4) == 0)
                {
                    var victim = active.Values.ElementAt(random.Next(active.Count));
                    batch.Add(random.Next(2) == 0 ? victim with { State = PolicyState.Deleted } : world.RandomPolicy(victim.Id));
                }
                else
                {
                    batch.Add(world.RandomPolicy($"p{round}-{w}"));
                }
            }
            batch = batch.GroupBy(p => p.Id).Select(g => g.Last()).ToList();
            index.Apply(++revision, batch);
            foreach (var policy in batch)
            {
                if (policy.State == PolicyState.Active)
                    active[policy.Id] = policy;
                else
                    active.Remove(policy.Id);
            }

            for (var c = 0; c < 150; c++)
            {
                var request = world.RandomRequest(active.Values, Roles);
                var expected = DecisionTestKit.Reference(active.Values, Roles, request);
                var decision = index.Check(request);
                Assert.True(expected == decision.Permit, $"seed {seed}, round {round}: expected {expected} for {request}, got {decision}");
                if (decision.Permit)
                {
                    Assert.True(DecisionTestKit.Reference([active[decision.PolicyId!]], Roles, request), "the named policy does not permit the request");
                    permits++;
                }
                compared++;
            }
        }

        Assert.Equal(active.Count, index.Count);
        Assert.InRange(permits, compared / 5, compared - compared / 5);
    }

    // Filled by a load, by writes of many policies each (a batch create), or one policy per write: the per-account lists
    // the searches walk are built differently in each.
    [Theory]
    [InlineData(0)]
    [InlineData(50)]
    [InlineData(1)]
    public void Search_ResultsMatchBruteForce(int perWrite)
    {
        var random = new Random(7);
        var world = new World(random);
        var index = new DecisionIndex(new TableRoleActions(Roles));
        var policies = Enumerable.Range(0, 400).Select(i => world.RandomPolicy($"p{i}")).GroupBy(p => p.Id).Select(g => g.First()).ToList();
        if (perWrite == 0)
        {
            index.Load(policies, 1);
        }
        else
        {
            var revision = 1L;
            foreach (var write in policies.Chunk(perWrite))
                index.Apply(++revision, write);
        }

        for (var i = 0; i < 200; i++)
        {
            var request = world.RandomRequest(policies, Roles);

            var expectedActions = Roles.Values.SelectMany(a => a).Distinct()
                .Where(a => DecisionTestKit.Reference(policies, Roles, request with { Action = a })).Order(StringComparer.Ordinal);
            Assert.Equal(expectedActions, index.SearchActions(request.Subject, request.Resource));

            var expectedSubjects = policies
                .Where(p => DecisionTestKit.Reference([p], Roles, request with { Subject = Exactly(p.Subject) }))
                .Select(p => Key(p.Subject)).Distinct().Order(StringComparer.Ordinal);
            Assert.Equal(expectedSubjects, index.SearchSubjects(request.Resource, request.Action).Select(r => Key(r.Properties)).Order(StringComparer.Ordinal));

            var expectedResources = policies
                .Where(p => DecisionTestKit.Reference([p], Roles, request with { Resource = Exactly(p.Resource) }))
                .Select(p => Key(p.Resource)).Distinct().Order(StringComparer.Ordinal);
            Assert.Equal(expectedResources, index.SearchResources(request.Subject, request.Action).Select(r => Key(r.Properties)).Order(StringComparer.Ordinal));
        }
    }

    [Fact]
    public void Explain_NamesTheClosestPoliciesAndWhatDidNotMatch()
    {
        var index = new DecisionIndex(new TableRoleActions(Roles));
        index.Apply(1, [
            DecisionTestKit.Policy("near", Map("accountId=A", "serviceName=src"), ["role:Reader"], Map("accountId=A", "serviceName=svc", "serviceInstance=i1")),
            DecisionTestKit.Policy("far", Map("accountId=B", "serviceName=other"), ["role:Sender"], Map("accountId=A", "serviceName=svc", "serviceInstance=i9")),
            DecisionTestKit.Policy("elsewhere", Map("accountId=A", "serviceName=src"), ["role:Reader"], Map("accountId=Z", "serviceName=svc")),
        ]);
        var request = new DecisionRequest(new Attributes("A", "src"), "svc.write", new Attributes("A", "svc", "i1"));

        var explanation = index.Explain(request);

        Assert.False(explanation.Decision.Permit);
        Assert.Equal(["near", "far"], explanation.ClosestPolicies.Select(p => p.PolicyId));
        var near = Assert.Single(explanation.ClosestPolicies[0].Mismatches);
        Assert.Contains("action 'svc.write' is not granted by its roles (role:Reader)", near, StringComparison.Ordinal);
        Assert.Contains(explanation.ClosestPolicies[1].Mismatches, m => m == "resource serviceInstance is 'i1'; the policy requires 'i9'");
        Assert.Contains(explanation.ClosestPolicies[1].Mismatches, m => m == "subject accountId is 'A'; the policy requires 'B'");

        var permitted = index.Explain(request with { Action = "svc.read" });
        Assert.True(permitted.Decision.Permit);
        Assert.Equal("near", Assert.Single(permitted.ClosestPolicies).PolicyId);
        Assert.Empty(permitted.ClosestPolicies[0].Mismatches);
    }

    [Fact]
    public void Check_AllocatesNothing()
    {
        var index = new DecisionIndex(new TableRoleActions(Roles));
        index.Apply(1, [DecisionTestKit.Policy("p", Map("accountId=A", "serviceName=src"), ["role:Reader"], Map("accountId=A", "serviceName=svc", "serviceInstance=i1"))]);
        var permit = new DecisionRequest(new Attributes("A", "src"), "svc.read", new Attributes("A", "svc", "i1"));
        var deny = permit with { Action = "svc.write" };
        index.Check(permit);
        index.Check(deny);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            index.Check(permit);
            index.Check(deny);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Decider_PermitsThroughAnAccessGroup_AndAllocatesNothing()
    {
        var index = new DecisionIndex(new TableRoleActions(Roles));
        var directory = new ResourceDirectory();
        var decider = new Decider(index, directory);
        index.Apply(1, [DecisionTestKit.Policy("by-group", Map("access_group_id=G2"), ["role:Reader"], Map("accountId=A", "serviceName=svc"))]);
        directory.Apply(new Tessera.Storage.ChangeSet(2, [], [],
            [new Tessera.Model.GroupMembership("G1", "IBMid-u", "A", DateTimeOffset.UnixEpoch, "x"), new Tessera.Model.GroupMembership("G2", "IBMid-u", "A", DateTimeOffset.UnixEpoch, "x")], []));
        var member = new DecisionRequest(new Attributes(AccountId: "A", IamId: "IBMid-u"), "svc.read", new Attributes("A", "svc", "i1"));
        var stranger = member with { Subject = new Attributes(AccountId: "A", IamId: "IBMid-v") };

        Assert.Equal(("by-group", false), (decider.Check(member).PolicyId, decider.Check(stranger).Permit));
        Assert.False(index.Check(member).Permit);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            decider.Check(member);
            decider.Check(stranger);
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Apply_SkipsRevisionsAlreadyReflected()
    {
        var index = new DecisionIndex(new TableRoleActions(Roles));
        var policy = DecisionTestKit.Policy("p", Map("accountId=A", "serviceName=src"), ["role:Reader"], Map("accountId=A", "serviceName=svc"));
        index.Load([policy], 5);

        index.Apply(5, [policy with { State = PolicyState.Deleted }]);

        Assert.Equal(5, index.Revision);
        Assert.True(index.Check(new DecisionRequest(new Attributes("A", "src"), "svc.read", new Attributes("A", "svc"))).Permit);
    }

    private static Attributes Exactly(IReadOnlyList<AttributeConstraint> constraints) =>
        DecisionTestKit.Attributes(constraints.ToDictionary(c => c.Name, c => c.Value));

    private static string Key(IEnumerable<AttributeConstraint> constraints) => Key(constraints.ToDictionary(c => c.Name, c => c.Value));

    private static string Key(IReadOnlyDictionary<string, string> properties) =>
        string.Join(";", properties.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}"));

    private static Dictionary<string, string> Map(params string[] pairs) => pairs.ToDictionary(p => p.Split('=')[0], p => p.Split('=')[1]);

    /// <summary>A small random world of accounts, services, instances and groups, and policies and requests over it.</summary>
    private sealed class World(Random random)
    {
        private static readonly string[] Accounts = ["A", "B", "C"];
        private static readonly string[] Sources = ["src1", "src2"];
        private static readonly string[] Targets = ["svc", "svc2"];
        private static readonly string[] Instances = ["i1", "i2", "i3"];
        private static readonly string[] Groups = ["g1", "g2"];
        private static readonly string[] Buckets = ["b1", "b2"];

        public Policy RandomPolicy(string id)
        {
            var target = new Dictionary<string, string> { ["accountId"] = Pick(Accounts), ["serviceName"] = Pick(Targets) };
            switch (random.Next(4))
            {
                case 1: target["serviceInstance"] = Pick(Instances); break;
                case 2: target["resourceGroupId"] = Pick(Groups); break;
                case 3: target["serviceInstance"] = Pick(Instances); target["resourceType"] = "bucket"; target["resource"] = Pick(Buckets); break;
            }
            var source = new Dictionary<string, string> { ["accountId"] = random.Next(3) == 0 ? Pick(Accounts) : target["accountId"], ["serviceName"] = Pick(Sources) };
            switch (random.Next(3))
            {
                case 1: source["serviceInstance"] = "s-" + Pick(Instances); break;
                case 2: source["resourceGroupId"] = Pick(Groups); break;
            }
            var roles = Roles.Keys.Where(_ => random.Next(3) == 0).ToList();
            if (roles.Count == 0)
                roles.Add(Pick([.. Roles.Keys]));
            return DecisionTestKit.Policy(id, source, roles, target);
        }

        /// <summary>Half the time a request built from a policy (likely permitted), else a near miss or noise.</summary>
        public DecisionRequest RandomRequest(IEnumerable<Policy> policies, IReadOnlyDictionary<string, IReadOnlyList<string>> roles)
        {
            var list = policies.ToList();
            var subject = new Dictionary<string, string>
            {
                ["accountId"] = Pick(Accounts), ["serviceName"] = Pick(Sources), ["serviceInstance"] = "s-" + Pick(Instances), ["resourceGroupId"] = Pick(Groups),
            };
            var resource = new Dictionary<string, string>
            {
                ["accountId"] = Pick(Accounts), ["serviceName"] = Pick(Targets), ["serviceInstance"] = Pick(Instances), ["resourceGroupId"] = Pick(Groups),
            };
            if (random.Next(2) == 0)
                resource["resourceType"] = "bucket";
            if (random.Next(2) == 0)
                resource["resource"] = Pick(Buckets);
            var action = Pick([.. roles.Values.SelectMany(a => a).Distinct()]);
            if (list.Count > 0 && random.Next(2) == 0)
            {
                var policy = list[random.Next(list.Count)];
                foreach (var a in policy.Subject) subject[a.Name] = a.Value;
                foreach (var a in policy.Resource) resource[a.Name] = a.Value;
                action = Pick([.. policy.Roles.SelectMany(r => roles[r])]);
                switch (random.Next(6))
                {
                    case 0: action = "svc.delete"; break;
                    case 1: resource["serviceInstance"] = "i-other"; break;
                    case 2: subject["accountId"] = "Z"; break;
                    case 3: subject.Remove("serviceInstance"); break;
                }
            }
            return new DecisionRequest(DecisionTestKit.Attributes(subject), action, DecisionTestKit.Attributes(resource));
        }

        private T Pick<T>(T[] values) => values[random.Next(values.Length)];
    }
}
