using System.CommandLine;
using System.Text.Json;
using Tessera.Cli.Authorizations;
using Tessera.Client;
using Tessera.Client.Models;
using static Tessera.Cli.Commands.CommandKit;

namespace Tessera.Cli.Commands;

/// <summary>
/// <c>tessera resource service-instance-create | service-instances | service-instance | service-instance-delete</c> and
/// <c>group-create | groups | group-delete</c>, as <c>ibmcloud resource</c> has them. A deletion first says what goes with
/// it: the policies that name the instance (or group) are removed in the same transaction (R7).
/// </summary>
internal static class ResourceCommands
{
    public static Command Resource() =>
        new Command("resource", "Service instances and resource groups")
            .With(InstanceCreate(), Instances(), InstanceGet(), InstanceDelete(), GroupCreate(), Groups(), GroupDelete());

    private static Command InstanceCreate()
    {
        var name = Required("NAME", "The instance's name");
        var service = Required("SERVICE_NAME", "The catalog service, e.g. kms");
        var plan = Required("SERVICE_PLAN_NAME", "The plan, by name or ID");
        var groupId = Text("--resource-group-id", "The resource group, by ID (the account's default group when left out)", "RESOURCE_GROUP_ID");
        var groupName = Text("--resource-group-name", "The resource group, by name", "RESOURCE_GROUP_NAME");
        var location = new Option<string>("--location", "-l") { Description = "The region", HelpName = "LOCATION", DefaultValueFactory = _ => "global" };
        return new Command("service-instance-create", "Create a service instance").With(name, service, plan, groupId, groupName, location)
            .Exclusive(groupId, groupName)
            .Runs(async (run, cancellationToken) =>
            {
                var catalog = await run.Client.GetCatalogAsync(cancellationToken);
                var entry = catalog.Services.FirstOrDefault(s => s.Name == run.Value(service))
                            ?? throw new CliException($"No service '{run.Value(service)}' in the catalog.");
                var planId = entry.Plans.FirstOrDefault(p => p.Id == run.Value(plan) || string.Equals(p.Name, run.Value(plan), StringComparison.OrdinalIgnoreCase))?.Id
                             ?? throw new CliException($"{entry.Name} has no plan '{run.Value(plan)}'; its plans: {string.Join(", ", entry.Plans.Select(p => p.Name))}.");
                var group = run.Value(groupId) ?? (await GroupAsync(run, run.Value(groupName), cancellationToken)).Id;
                run.Out.Status($"Creating service instance {run.Value(name)} in resource group {group} of account {run.AccountId} as {run.IamId}...");
                var instance = await run.Client.CreateResourceInstanceAsync(new NewResourceInstance(run.Value(name)!, run.Value(location)!, group, planId),
                    cancellationToken);
                if (!run.Out.Json)
                    run.Out.Ok();
                Show(run, instance);
                return 0;
            });
    }

    private static Command Instances()
    {
        var service = Text("--service-name", "Only this service's instances", "SERVICE_NAME");
        var groupName = Text("--resource-group-name", "Only this resource group's instances", "RESOURCE_GROUP_NAME");
        return new Command("service-instances", "List the account's service instances").With(service, groupName).Runs(async (run, cancellationToken) =>
        {
            var group = run.Value(groupName) is { } named ? (await GroupAsync(run, named, cancellationToken)).Id : null;
            var instances = await run.Client.ListResourceInstancesAsync(
                new ResourceInstanceFilter { AccountId = run.AccountId, ResourceId = run.Value(service), ResourceGroupId = group }, cancellationToken).ToListAsync(cancellationToken);
            if (run.Out.Json)
                run.Out.WriteJson(instances, ClientJsonContext.Default.ResourceInstance);
            else
                run.Out.Table(["Name", "Service", "Location", "State", "GUID"],
                    instances.Select(i => (IReadOnlyList<string?>)[i.Name, i.ResourceId, i.RegionId, i.State, i.Guid]));
            return 0;
        });
    }

    private static Command InstanceGet()
    {
        var name = Required("NAME_OR_ID", "The instance, by name, GUID or CRN");
        return new Command("service-instance", "Show a service instance").With(name).Runs(async (run, cancellationToken) =>
        {
            Show(run, await Commands.Instances.FindAsync(run.Client, run.AccountId, run.Value(name)!, null, cancellationToken));
            return 0;
        });
    }

    private static Command InstanceDelete()
    {
        var name = Required("NAME_OR_ID", "The instance, by name, GUID or CRN");
        var force = Flag("--force", "Delete without asking", "-f");
        return new Command("service-instance-delete", "Delete a service instance and the policies that name it").With(name, force)
            .Runs(async (run, cancellationToken) =>
            {
                var instance = await Commands.Instances.FindAsync(run.Client, run.AccountId, run.Value(name)!, null, cancellationToken);
                var removed = await PoliciesNamingAsync(run, "serviceInstance", instance.Guid, cancellationToken);
                if (!run.Value(force) && !ConfirmCascade(run, $"service instance {instance.Name} ({instance.Guid})", removed))
                    return 0;
                run.Out.Status($"Deleting service instance {instance.Name} as {run.IamId}...");
                await run.Client.DeleteResourceInstanceAsync(instance.Guid, cancellationToken);
                run.Out.Ok();
                return 0;
            });
    }

    private static Command GroupCreate()
    {
        var name = Required("NAME", "The group's name");
        return new Command("group-create", "Create a resource group").With(name).Runs(async (run, cancellationToken) =>
        {
            run.Out.Status($"Creating resource group {run.Value(name)} under account {run.AccountId} as {run.IamId}...");
            var created = await run.Client.CreateResourceGroupAsync(run.AccountId, run.Value(name)!, cancellationToken);
            if (run.Out.Json)
            {
                run.Out.WriteJson(created, ClientJsonContext.Default.ResourceGroup);
                return 0;
            }
            run.Out.Ok();
            run.Out.Fields([("Name", run.Value(name)), ("ID", created.Id), ("CRN", created.Crn)]);
            return 0;
        });
    }

    private static Command Groups() =>
        new Command("groups", "List the account's resource groups").Runs(async (run, cancellationToken) =>
        {
            var groups = await run.Client.ListResourceGroupsAsync(run.AccountId, cancellationToken: cancellationToken);
            if (run.Out.Json)
                run.Out.WriteJson(groups, ClientJsonContext.Default.ResourceGroup);
            else
                run.Out.Table(["Name", "ID", "Default Group", "State"], groups.Select(g => (IReadOnlyList<string?>)[g.Name, g.Id, g.Default ? "true" : "false", g.State]));
            return 0;
        });

    private static Command GroupDelete()
    {
        var name = Required("NAME", "The group, by name");
        var force = Flag("--force", "Delete without asking", "-f");
        return new Command("group-delete", "Delete an empty resource group and the policies that name it").With(name, force).Runs(async (run, cancellationToken) =>
        {
            var group = await GroupAsync(run, run.Value(name), cancellationToken);
            var removed = await PoliciesNamingAsync(run, "resourceGroupId", group.Id, cancellationToken);
            if (!run.Value(force) && !ConfirmCascade(run, $"resource group {group.Name} ({group.Id})", removed))
                return 0;
            run.Out.Status($"Deleting resource group {group.Name} as {run.IamId}...");
            await run.Client.DeleteResourceGroupAsync(group.Id, cancellationToken);
            run.Out.Ok();
            return 0;
        });
    }

    /// <summary>The group named, or the account's default group when no name is given.</summary>
    private static async Task<ResourceGroup> GroupAsync(Invocation run, string? name, CancellationToken cancellationToken)
    {
        var groups = await run.Client.ListResourceGroupsAsync(run.AccountId, name, cancellationToken);
        return name is null
            ? groups.FirstOrDefault(g => g.Default) ?? throw new CliException($"Account {run.AccountId} has no default resource group; name one.")
            : Identities.One([.. groups.Where(g => g.Name == name)], name, "resource group", g => g.Id);
    }

    // The policies whose subject or resource names the instance or group: what its deletion removes with it.
    private static async Task<List<PolicyV2>> PoliciesNamingAsync(Invocation run, string attribute, string value, CancellationToken cancellationToken)
    {
        var naming = new List<PolicyV2>();
        await foreach (var policy in run.Client.ListPoliciesV2Async(new PolicyFilter(run.AccountId), cancellationToken))
        {
            if (policy.Subject.Attributes.Concat(policy.Resource.Attributes).Any(a =>
                    a.Key == attribute && a.Value.ValueKind == JsonValueKind.String && a.Value.GetString() == value))
            {
                naming.Add(policy);
            }
        }
        return naming;
    }

    private static bool ConfirmCascade(Invocation run, string what, List<PolicyV2> removed)
    {
        if (removed.Count == 0)
        {
            run.Out.Line($"No policy names {what}.");
        }
        else
        {
            run.Out.Line($"Deleting {what} also removes {removed.Count} {(removed.Count == 1 ? "policy" : "policies")}, and what they allow stops working:");
            run.Out.Table(["ID", "Type", "Source / subject", "Target", "Roles"], removed.Select(p =>
            {
                var view = AuthorizationView.Of(p, run.AccountId);
                return (IReadOnlyList<string?>)[p.Id, p.Type, view.Source, view.Target, view.Roles];
            }));
        }
        return Confirm(run.Out, $"Delete {what}?");
    }

    private static void Show(Invocation run, ResourceInstance instance)
    {
        if (run.Out.Json)
            run.Out.WriteJson(instance, ClientJsonContext.Default.ResourceInstance);
        else
            run.Out.Fields([("Name", instance.Name), ("ID", instance.Id), ("GUID", instance.Guid), ("Service", instance.ResourceId),
                ("Location", instance.RegionId), ("Resource group", instance.ResourceGroupId), ("State", instance.State), ("Created At", instance.CreatedAt)]);
    }
}
