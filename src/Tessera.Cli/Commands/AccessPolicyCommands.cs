using System.CommandLine;
using Tessera.Cli.Authorizations;
using Tessera.Client;
using Tessera.Client.Models;
using static Tessera.Cli.Commands.CommandKit;

namespace Tessera.Cli.Commands;

/// <summary>
/// Access policies for users, service IDs and access groups — <c>tessera iam user-policy-create | user-policies |
/// user-policy-delete</c> and their <c>service-</c> and <c>access-group-</c> twins — made by one factory, so the three
/// take the same flags as IBM's commands do: <c>--roles</c>, <c>--service-name</c>, <c>--service-instance</c>,
/// <c>--resource-type</c>, <c>--resource</c>, <c>--resource-group-name</c> | <c>--resource-group-id</c>.
/// </summary>
internal static class AccessPolicyCommands
{
    /// <summary>Who a family of commands grants to: how the command names them, and the subject attribute the name resolves to.</summary>
    private sealed record SubjectKind(string Prefix, string Argument, string Noun, string Attribute,
        Func<TesseraClient, string, string, CancellationToken, Task<string>> ResolveAsync);

    private static readonly SubjectKind[] Kinds =
    [
        new("user", "USER_NAME", "user", "iam_id", async (client, account, name, ct) => (await Identities.UserAsync(client, account, name, ct)).IamId),
        new("service", "SERVICE_ID", "service ID", "iam_id",
            async (client, account, name, ct) => (await Identities.ServiceIdAsync(client, account, name, ct)).IamId),
        new("access-group", "GROUP_NAME", "access group", "access_group_id",
            async (client, account, name, ct) => (await Identities.AccessGroupAsync(client, account, name, ct)).Id),
    ];

    public static IEnumerable<Command> All() => Kinds.SelectMany(kind => new[] { Create(kind), List(kind), Delete(kind) });

    private static Command Create(SubjectKind kind)
    {
        var subject = Required(kind.Argument, $"The {kind.Noun}, by name or ID");
        var roles = new Option<string>("--roles") { Description = "Comma-separated role names, e.g. \"Administrator,Reader\"", HelpName = "ROLE_NAMES", Required = true };
        var service = Text("--service-name", "The service (all services in the account when left out)", "SERVICE_NAME");
        var instance = Text("--service-instance", "One instance of the service (GUID or CRN)", "SERVICE_INSTANCE_GUID");
        var resourceType = Text("--resource-type", "A resource type of the service", "RESOURCE_TYPE");
        var resource = Text("--resource", "One resource of that type", "RESOURCE");
        var groupName = Text("--resource-group-name", "Resources in this resource group, by name", "RESOURCE_GROUP_NAME");
        var groupId = Text("--resource-group-id", "Resources in this resource group, by ID", "RESOURCE_GROUP_ID");
        return new Command($"{kind.Prefix}-policy-create", $"Grant a {kind.Noun} roles on resources of the account")
            .With(subject, roles, service, instance, resourceType, resource, groupName, groupId)
            .Exclusive(groupName, groupId)
            .Runs(async (run, cancellationToken) =>
            {
                var subjectId = await kind.ResolveAsync(run.Client, run.AccountId, run.Value(subject)!, cancellationToken);
                var group = run.Value(groupId) ?? (run.Value(groupName) is { } name
                    ? Identities.One([.. await run.Client.ListResourceGroupsAsync(run.AccountId, name, cancellationToken)], name, "resource group", g => g.Id).Id
                    : null);
                var granted = await new RoleResolver(run.Client, run.AccountId).ForAccessAsync(run.Value(service),
                    run.Value(roles)!.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries), cancellationToken);
                var attributes = new List<AttributeEntry> { AttributeEntry.Of("accountId", run.AccountId) };
                foreach (var (key, value) in new[]
                         {
                             ("serviceName", run.Value(service)), ("serviceInstance", run.Value(instance) is { } i ? Instances.GuidOf(i) : null),
                             ("resourceType", run.Value(resourceType)), ("resource", run.Value(resource)), ("resourceGroupId", group),
                         })
                {
                    if (value is not null)
                        attributes.Add(AttributeEntry.Of(key, value));
                }
                run.Out.Status($"Creating {kind.Noun} policy under account {run.AccountId} as {run.IamId}...");
                var policy = await run.Client.CreatePolicyAsync(new PolicyV1
                {
                    Type = PolicyTypes.Access,
                    Subjects = [new AttributeSet { Attributes = [AttributeEntry.Of(kind.Attribute, subjectId)] }],
                    Roles = [.. granted.Select(r => new PolicyRole { RoleId = r.Crn })],
                    Resources = [new AttributeSet { Attributes = attributes }],
                }, cancellationToken);
                if (run.Out.Json)
                {
                    run.Out.WriteJson(policy, ClientJsonContext.Default.PolicyV1);
                    return 0;
                }
                run.Out.Ok();
                Show(run, [policy]);
                return 0;
            });
    }

    private static Command List(SubjectKind kind)
    {
        var subject = Required(kind.Argument, $"The {kind.Noun}, by name or ID");
        return new Command($"{kind.Prefix}-policies", $"List a {kind.Noun}'s access policies").With(subject).Runs(async (run, cancellationToken) =>
        {
            var subjectId = await kind.ResolveAsync(run.Client, run.AccountId, run.Value(subject)!, cancellationToken);
            var filter = new PolicyFilter(run.AccountId) { Type = PolicyTypes.Access };
            filter = kind.Attribute == "iam_id" ? filter with { IamId = subjectId } : filter with { AccessGroupId = subjectId };
            run.Out.Status($"Getting policies of {kind.Noun} {run.Value(subject)} under account {run.AccountId} as {run.IamId}...");
            var policies = await run.Client.ListPoliciesAsync(filter, cancellationToken).ToListAsync(cancellationToken);
            if (run.Out.Json)
                run.Out.WriteJson(policies, ClientJsonContext.Default.PolicyV1);
            else
                Show(run, policies);
            return 0;
        });
    }

    private static Command Delete(SubjectKind kind)
    {
        var subject = Required(kind.Argument, $"The {kind.Noun}, by name or ID");
        var id = Required("POLICY_ID", "The policy's ID");
        var force = Flag("--force", "Delete without asking", "-f");
        return new Command($"{kind.Prefix}-policy-delete", $"Delete a {kind.Noun}'s access policy").With(subject, id, force).Runs(async (run, cancellationToken) =>
        {
            var subjectId = await kind.ResolveAsync(run.Client, run.AccountId, run.Value(subject)!, cancellationToken);
            var policy = await run.Client.GetPolicyAsync(run.Value(id)!, cancellationToken);
            if (!policy.Subjects.SelectMany(s => s.Attributes).Any(a => a.Name == kind.Attribute && a.Value.GetString() == subjectId))
                throw new CliException($"Policy {policy.Id} is not a policy of {kind.Noun} {run.Value(subject)}.");
            if (!run.Value(force) && !Confirm(run.Out, $"Delete policy {policy.Id} of {kind.Noun} {run.Value(subject)}?"))
                return 0;
            run.Out.Status($"Deleting policy {policy.Id} as {run.IamId}...");
            await run.Client.DeletePolicyAsync(policy.Id!, cancellationToken);
            run.Out.Ok();
            return 0;
        });
    }

    private static void Show(Invocation run, IEnumerable<PolicyV1> policies) =>
        run.Out.Table(["ID", "Roles", "Resources", "State"], policies.Select(p => (IReadOnlyList<string?>)
        [
            p.Id, string.Join(", ", p.Roles.Select(r => r.DisplayName ?? AuthorizationView.ShortName(r.RoleId))), Resources(p), p.State,
        ]));

    private static string Resources(PolicyV1 policy)
    {
        var scope = AuthorizationView.Attributes(policy.Resources).Where(a => a.Key != "accountId").ToDictionary(a => a.Key, a => a.Value);
        return scope.Count == 0 ? "every resource in the account" : AuthorizationView.Describe(scope);
    }
}
