using System.CommandLine;
using Tessera.Client;
using Tessera.Client.Models;
using static Tessera.Cli.Commands.CommandKit;

namespace Tessera.Cli.Commands;

/// <summary><c>tessera iam access-group-create | access-groups | access-group-delete</c> and the members: users and service IDs.</summary>
internal static class AccessGroupCommands
{
    public static IEnumerable<Command> All() =>
    [
        CreateGroup(), Groups(), DeleteGroup(), Members(),
        AddMembers("access-group-user-add", "USER_NAME", "users", "user",
            async (run, name, ct) => (await Identities.UserAsync(run.Client, run.AccountId, name, ct)).IamId),
        AddMembers("access-group-service-id-add", "SERVICE_ID", "service IDs", "service",
            async (run, name, ct) => (await Identities.ServiceIdAsync(run.Client, run.AccountId, name, ct)).IamId),
        RemoveMember("access-group-user-remove", "USER_NAME", "user",
            async (run, name, ct) => (await Identities.UserAsync(run.Client, run.AccountId, name, ct)).IamId),
        RemoveMember("access-group-service-id-remove", "SERVICE_ID", "service ID",
            async (run, name, ct) => (await Identities.ServiceIdAsync(run.Client, run.AccountId, name, ct)).IamId),
    ];

    private static Command CreateGroup()
    {
        var name = Required("GROUP_NAME", "The group's name");
        var description = Text("--description", "A description", "TEXT", "-d");
        return new Command("access-group-create", "Create an access group").With(name, description).Runs(async (run, cancellationToken) =>
        {
            run.Out.Status($"Creating access group {run.Value(name)} under account {run.AccountId} as {run.IamId}...");
            var group = await run.Client.CreateAccessGroupAsync(run.AccountId, run.Value(name)!, run.Value(description), cancellationToken);
            if (run.Out.Json)
            {
                run.Out.WriteJson(group, ClientJsonContext.Default.AccessGroup);
                return 0;
            }
            run.Out.Ok();
            run.Out.Fields([("ID", group.Id), ("Name", group.Name), ("Description", group.Description)]);
            return 0;
        });
    }

    private static Command Groups() =>
        new Command("access-groups", "List the account's access groups").Runs(async (run, cancellationToken) =>
        {
            var groups = await run.Client.ListAccessGroupsAsync(run.AccountId, cancellationToken);
            if (run.Out.Json)
                run.Out.WriteJson(groups, ClientJsonContext.Default.AccessGroup);
            else
                run.Out.Table(["Name", "ID", "Description"], groups.Select(g => (IReadOnlyList<string?>)[g.Name, g.Id, g.Description ?? ""]));
            return 0;
        });

    private static Command DeleteGroup()
    {
        var name = Required("GROUP_NAME", "The group, by name or ID");
        var force = Flag("--force", "Delete without asking", "-f");
        return new Command("access-group-delete", "Delete an access group; its members lose what its policies grant").With(name, force)
            .Runs(async (run, cancellationToken) =>
            {
                var group = await Identities.AccessGroupAsync(run.Client, run.AccountId, run.Value(name)!, cancellationToken);
                if (!run.Value(force) && !Confirm(run.Out, $"Delete access group {group.Name} ({group.Id})? Its members lose the access its policies grant."))
                    return 0;
                run.Out.Status($"Deleting access group {group.Name} as {run.IamId}...");
                await run.Client.DeleteAccessGroupAsync(group.Id, cancellationToken);
                run.Out.Ok();
                return 0;
            });
    }

    private static Command Members()
    {
        var name = Required("GROUP_NAME", "The group, by name or ID");
        return new Command("access-group-members", "List an access group's users and service IDs").With(name).Runs(async (run, cancellationToken) =>
        {
            var group = await Identities.AccessGroupAsync(run.Client, run.AccountId, run.Value(name)!, cancellationToken);
            var members = await run.Client.ListMembersAsync(group.Id, cancellationToken);
            if (run.Out.Json)
                run.Out.WriteJson(members, ClientJsonContext.Default.GroupMember);
            else
                run.Out.Table(["IAM ID", "Type", "Added At"], members.Select(m => (IReadOnlyList<string?>)[m.IamId, m.Type, m.CreatedAt]));
            return 0;
        });
    }

    private static Command AddMembers(string commandName, string argument, string plural, string type,
        Func<Invocation, string, CancellationToken, Task<string>> resolveAsync)
    {
        var name = Required("GROUP_NAME", "The group, by name or ID");
        var members = new Argument<string[]>(argument) { Description = $"The {plural} to add", Arity = ArgumentArity.OneOrMore };
        return new Command(commandName, $"Add {plural} to an access group").With(name, members).Runs(async (run, cancellationToken) =>
        {
            var group = await Identities.AccessGroupAsync(run.Client, run.AccountId, run.Value(name)!, cancellationToken);
            var iamIds = new List<GroupMember>();
            foreach (var member in run.Value(members)!)
                iamIds.Add(new GroupMember { IamId = await resolveAsync(run, member, cancellationToken), Type = type });
            run.Out.Status($"Adding {plural} to access group {group.Name} as {run.IamId}...");
            var added = await run.Client.AddMembersAsync(group.Id, iamIds, cancellationToken);
            if (added.FirstOrDefault(m => m.StatusCode is >= 300) is { } refused)
                throw new CliException($"{refused.IamId} was not added (status {refused.StatusCode}).");
            if (run.Out.Json)
                run.Out.WriteJson(added, ClientJsonContext.Default.GroupMember);
            else
                run.Out.Ok();
            return 0;
        });
    }

    private static Command RemoveMember(string commandName, string argument, string noun, Func<Invocation, string, CancellationToken, Task<string>> resolveAsync)
    {
        var name = Required("GROUP_NAME", "The group, by name or ID");
        var member = Required(argument, $"The {noun} to remove");
        return new Command(commandName, $"Remove a {noun} from an access group").With(name, member).Runs(async (run, cancellationToken) =>
        {
            var group = await Identities.AccessGroupAsync(run.Client, run.AccountId, run.Value(name)!, cancellationToken);
            var iamId = await resolveAsync(run, run.Value(member)!, cancellationToken);
            run.Out.Status($"Removing {noun} {run.Value(member)} from access group {group.Name} as {run.IamId}...");
            await run.Client.RemoveMemberAsync(group.Id, iamId, cancellationToken);
            run.Out.Ok();
            return 0;
        });
    }
}
