using System.Text.Json;

namespace Tessera.Benchmarks;

/// <summary>
/// A deterministic S2S workload (same arguments and seed, same bytes): accounts with tens of instances, the seeds'
/// services, the scope mix and cross-account share of <c>bench-workload.md</c>, and checks that are half permits and
/// half near misses. Expected answers come from <see cref="HashIndexedEvaluator"/>, the plain reference.
/// </summary>
public static class WorkloadGenerator
{
    private const string Iam = "crn:v1:bluemix:public:iam::::serviceRole:";

    private static readonly Dictionary<string, string[]> RoleTable = new()
    {
        ["crn:v1:bluemix:public:cloud-object-storage::::serviceRole:ObjectWriter"] =
            ["cloud-object-storage.object.put", "cloud-object-storage.object.post", "cloud-object-storage.object.post_initiate_upload",
             "cloud-object-storage.object.put_part", "cloud-object-storage.object.post_complete_upload"],
        ["crn:v1:bluemix:public:cloud-object-storage::::serviceRole:Reader"] =
            ["cloud-object-storage.bucket.get", "cloud-object-storage.object.get", "cloud-object-storage.object.head"],
        ["crn:v1:bluemix:public:cloud-object-storage::::serviceRole:Writer"] =
            ["cloud-object-storage.bucket.get", "cloud-object-storage.object.get", "cloud-object-storage.object.head", "cloud-object-storage.object.put",
             "cloud-object-storage.object.delete"],
        [Iam + "Writer"] = ["messagehub.topic.read", "messagehub.topic.write", "messagehub.cluster.read", "messagehub.group.read"],
        ["crn:v1:bluemix:public:logs::::serviceRole:Sender"] = ["logs.data-ingress.send"],
        [Iam + "Reader"] = ["kms.secrets.wrap", "kms.secrets.unwrap", "kms.secrets.list", "kms.secrets.readmetadata"],
    };

    // Source → target pairs of the seeds, with the roles granted.
    private static readonly (string Source, string Target, string[] Roles)[] Pairs =
    [
        ("atracker", "cloud-object-storage", ["crn:v1:bluemix:public:cloud-object-storage::::serviceRole:ObjectWriter"]),
        ("atracker", "messagehub", [Iam + "Writer"]),
        ("atracker", "logs", ["crn:v1:bluemix:public:logs::::serviceRole:Sender"]),
        ("event-notifications", "cloud-object-storage",
            ["crn:v1:bluemix:public:cloud-object-storage::::serviceRole:Reader", "crn:v1:bluemix:public:cloud-object-storage::::serviceRole:ObjectWriter"]),
        ("event-notifications", "kms", [Iam + "Reader"]),
        ("cloud-object-storage", "kms", [Iam + "Reader"]),
        ("logs", "cloud-object-storage", ["crn:v1:bluemix:public:cloud-object-storage::::serviceRole:Writer"]),
        ("logs", "messagehub", [Iam + "Writer"]),
    ];

    private static readonly string[] Services = ["atracker", "event-notifications", "cloud-object-storage", "messagehub", "logs", "kms"];
    private const int InstancesPerService = 5;
    private const int GroupsPerAccount = 3;

    public static Workload Generate(int policyCount, int checkCount, int seed)
    {
        var random = new Random(seed);
        var accounts = Math.Max(2, policyCount / 20);
        var workload = new Workload
        {
            Meta = new Dictionary<string, JsonElement>
            {
                ["seed"] = JsonSerializer.SerializeToElement(seed),
                ["policies"] = JsonSerializer.SerializeToElement(policyCount),
                ["checks"] = JsonSerializer.SerializeToElement(checkCount),
                ["accounts"] = JsonSerializer.SerializeToElement(accounts),
                ["generator"] = JsonSerializer.SerializeToElement("tessera bench generate"),
            },
            Roles = RoleTable,
        };

        for (var i = 0; i < policyCount; i++)
            workload.Policies.Add(RandomPolicy(random, accounts));

        var oracle = new HashIndexedEvaluator(workload);
        for (var i = 0; i < checkCount; i++)
        {
            var basis = workload.Policies[random.Next(workload.Policies.Count)];
            var (subject, action, resource) = Satisfy(random, basis, accounts);
            if (i % 2 == 1)
                NearMiss(random, basis, subject, ref action, resource, accounts);
            var check = new WorkloadCheck(subject, action, resource, false);
            workload.Checks.Add(check with { Expect = oracle.Check(check.ToRequest()) });
        }
        return workload;
    }

    private static WorkloadPolicy RandomPolicy(Random random, int accounts)
    {
        var (source, target, roles) = Pairs[random.Next(Pairs.Length)];
        var targetAccount = Account(random.Next(accounts));
        var sourceAccount = random.NextDouble() < 0.3 ? Account(random.Next(accounts)) : targetAccount;

        var subject = new List<WorkloadConstraint> { new("accountId", sourceAccount), new("serviceName", source) };
        var sourceScope = random.NextDouble();
        if (sourceScope < 0.3)
            subject.Add(new("serviceInstance", Instance(sourceAccount, source, random.Next(InstancesPerService))));
        else if (sourceScope < 0.4)
            subject.Add(new("resourceGroupId", Group(sourceAccount, random.Next(GroupsPerAccount))));

        var resource = new List<WorkloadConstraint> { new("accountId", targetAccount, "stringEquals"), new("serviceName", target, "stringEquals") };
        var targetScope = random.NextDouble();
        var instance = Instance(targetAccount, target, random.Next(InstancesPerService));
        if (targetScope < 0.40)
        {
            // whole service
        }
        else if (targetScope < 0.75)
        {
            resource.Add(new("serviceInstance", instance, "stringEquals"));
        }
        else if (targetScope < 0.90)
        {
            resource.Add(new("resourceGroupId", Group(targetAccount, random.Next(GroupsPerAccount)), "stringEquals"));
        }
        else
        {
            resource.Add(new("serviceInstance", instance, "stringEquals"));
            resource.Add(new("resourceType", "bucket", "stringEquals"));
            resource.Add(new("resource", $"bucket-{random.Next(4)}", "stringEquals"));
        }
        return new WorkloadPolicy("authorization", [new([.. subject])], roles.Select(r => new WorkloadRole(r)).ToArray(), [new([.. resource])]);
    }

    /// <summary>Concrete attributes that the policy permits: its constraints, and plausible values for the rest.</summary>
    private static (Dictionary<string, string> Subject, string Action, Dictionary<string, string> Resource) Satisfy(Random random, WorkloadPolicy policy, int accounts)
    {
        var subject = policy.Subjects[0].Attributes.ToDictionary(a => a.Name, a => a.Value);
        var source = subject["serviceName"];
        subject.TryAdd("serviceInstance", Instance(subject["accountId"], source, random.Next(InstancesPerService)));
        subject.TryAdd("resourceGroupId", GroupOf(subject["serviceInstance"]));

        var resource = policy.Resources[0].Attributes.ToDictionary(a => a.Name, a => a.Value);
        var target = resource["serviceName"];
        if (!resource.TryGetValue("serviceInstance", out _))
        {
            // A resource-group scope needs an instance of that group; instances are spread over groups by number.
            var wantedGroup = resource.GetValueOrDefault("resourceGroupId");
            var number = random.Next(InstancesPerService);
            while (wantedGroup is not null && GroupOf(Instance(resource["accountId"], target, number)) != wantedGroup)
                number = (number + 1) % (InstancesPerService * GroupsPerAccount);
            resource["serviceInstance"] = Instance(resource["accountId"], target, number);
        }
        resource.TryAdd("resourceGroupId", GroupOf(resource["serviceInstance"]));
        if (target == "cloud-object-storage")
        {
            resource.TryAdd("resourceType", "bucket");
            resource.TryAdd("resource", $"bucket-{random.Next(4)}");
        }
        var actions = policy.Roles.SelectMany(r => RoleTable[r.RoleId]).ToArray();
        _ = accounts;
        return (subject, actions[random.Next(actions.Length)], resource);
    }

    private static void NearMiss(Random random, WorkloadPolicy policy, Dictionary<string, string> subject, ref string action, Dictionary<string, string> resource, int accounts)
    {
        var service = action.Split('.')[0];
        switch (random.Next(5))
        {
            case 0:
                var granted = policy.Roles.SelectMany(r => RoleTable[r.RoleId]).ToHashSet();
                var others = RoleTable.Values.SelectMany(a => a).Where(a => !granted.Contains(a) && a.Split('.')[0] == service).Distinct().ToArray();
                action = others.Length > 0 ? others[random.Next(others.Length)] : action + ".other";
                break;
            case 1:
                subject["serviceInstance"] = Instance(subject["accountId"], subject["serviceName"], InstancesPerService + random.Next(3));
                break;
            case 2:
                subject["accountId"] = Account(random.Next(accounts));
                break;
            case 3:
                if (resource.TryGetValue("resource", out _))
                    resource["resource"] = $"bucket-{4 + random.Next(4)}";
                else
                    resource["serviceInstance"] = Instance(resource["accountId"], resource["serviceName"], InstancesPerService + random.Next(3));
                break;
            default:
                subject["serviceName"] = Services[random.Next(Services.Length)];
                break;
        }
    }

    private static string Account(int number) => number.ToString("x32", System.Globalization.CultureInfo.InvariantCulture);

    private static string Instance(string account, string service, int number) => $"{service}-{account[^8..]}-{number}";

    private static string Group(string account, int number) => $"rg-{account[^8..]}-{number}";

    private static string GroupOf(string instance)
    {
        var parts = instance.Split('-');
        var number = int.Parse(parts[^1], System.Globalization.CultureInfo.InvariantCulture);
        return $"rg-{parts[^2]}-{number % GroupsPerAccount}";
    }
}
