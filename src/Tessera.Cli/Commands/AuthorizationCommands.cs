using System.CommandLine;
using System.Text.Json;
using Tessera.Cli.Authorizations;
using Tessera.Client;
using Tessera.Client.Models;
using static Tessera.Cli.Commands.CommandKit;

namespace Tessera.Cli.Commands;

/// <summary>
/// <c>tessera iam authorization-policy-create | authorization-policies | authorization-policy | authorization-policy-delete | roles</c>,
/// with the arguments, flags and exclusions of IBM's <c>ibmcloud iam</c> commands (reference §5).
/// </summary>
internal static class AuthorizationCommands
{
    public static IEnumerable<Command> All() => [Create(), List(), Get(), Delete(), Roles()];

    private static Command Create()
    {
        var source = Optional("SOURCE_SERVICE_NAME", "The source service (a catalog name, e.g. atracker)");
        var target = Optional("TARGET_SERVICE_NAME", "The target service (e.g. cloud-object-storage)");
        var roles = Optional("ROLE_NAMES", "Comma-separated role names, e.g. \"Object Writer,Reader\"");
        var sourceInstanceName = Text("--source-service-instance-name", "The source instance, by name", "NAME");
        var sourceInstanceId = Text("--source-service-instance-id", "The source instance, by ID (GUID or CRN)", "ID");
        var sourceAccount = Text("--source-service-account", "The source's account, when it is not this one", "ACCOUNT_ID");
        var sourceGroup = Text("--source-resource-group-id", "Sources in this resource group (* for any)", "RESOURCE_GROUP_ID");
        var sourceType = Text("--source-resource-type", "The source's resource type", "RESOURCE_TYPE");
        var sourceResource = Text("--source-resource", "The source resource", "RESOURCE");
        var targetInstanceName = Text("--target-service-instance-name", "The target instance, by name", "NAME");
        var targetInstanceId = Text("--target-service-instance-id", "The target instance, by ID (GUID or CRN)", "ID");
        var targetGroup = Text("--target-resource-group-id", "Targets in this resource group", "RESOURCE_GROUP_ID");
        var targetType = Text("--target-resource-type", "The target's resource type (e.g. bucket)", "RESOURCE_TYPE");
        var targetResource = Text("--target-resource", "The target resource (e.g. a bucket's name)", "RESOURCE");
        var file = Text("--file", "A JSON policy (v1 or v2 shape) instead of the arguments", "JSON_FILE");
        var description = Text("--description", "A description", "TEXT", "-d");
        Option[] shaped = [sourceInstanceName, sourceInstanceId, sourceAccount, sourceGroup, sourceType, sourceResource, targetInstanceName, targetInstanceId,
            targetGroup, targetType, targetResource, description];

        var command = new Command("authorization-policy-create", "Authorize a source service to act on a target service's resources with roles")
            .With(source, target, roles, sourceInstanceName, sourceInstanceId, sourceAccount, sourceGroup, sourceType, sourceResource, targetInstanceName,
                targetInstanceId, targetGroup, targetType, targetResource, file, description)
            .Exclusive(sourceInstanceName, sourceInstanceId)
            .Exclusive(sourceInstanceName, sourceAccount)
            .Exclusive(sourceGroup, sourceInstanceId)
            .Exclusive(sourceGroup, sourceInstanceName)
            .Exclusive(targetInstanceName, targetInstanceId)
            .Exclusive(targetGroup, targetInstanceId)
            .Exclusive(targetGroup, targetInstanceName);
        command.Validators.Add(result =>
        {
            var positional = new[] { source, target, roles }.Count(a => result.GetResult(a) is { Tokens.Count: > 0 });
            if (result.GetResult(file) is { Implicit: false })
            {
                if (positional > 0 || shaped.Any(o => result.GetResult(o) is { Implicit: false }))
                    result.AddError("--file takes the whole policy: give it without SOURCE, TARGET, roles or other flags");
            }
            else if (positional < 3)
            {
                result.AddError("SOURCE_SERVICE_NAME, TARGET_SERVICE_NAME and ROLE_NAMES are required (or --file)");
            }
        });

        return command.Runs(async (run, cancellationToken) =>
        {
            run.Out.Status($"Creating authorization policy under account {run.AccountId} as {run.IamId}...");
            if (run.Value(file) is { } path)
                return await CreateFromFileAsync(run, path, cancellationToken);

            var spec = new AuthorizationSpec
            {
                SourceServiceName = run.Value(source),
                TargetServiceName = run.Value(target),
                Roles = run.Value(roles)!.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries),
                SourceServiceAccount = run.Value(sourceAccount),
                SourceResourceInstanceId = await InstanceIdAsync(run, run.Value(sourceInstanceId), run.Value(sourceInstanceName), run.Value(source),
                    cancellationToken),
                SourceResourceGroupId = run.Value(sourceGroup),
                SourceResourceType = run.Value(sourceType),
                SourceResource = run.Value(sourceResource),
                TargetResourceInstanceId = await InstanceIdAsync(run, run.Value(targetInstanceId), run.Value(targetInstanceName), run.Value(target),
                    cancellationToken),
                TargetResourceGroupId = run.Value(targetGroup),
                TargetResourceType = run.Value(targetType),
                TargetResource = run.Value(targetResource),
                Description = run.Value(description),
            };
            if (spec.Problem() is { } problem)
                throw new CliException(problem);
            var resolved = await new RoleResolver(run.Client, run.AccountId).ForAuthorizationAsync(spec.SourceServiceName, spec.RoleService, spec.Roles,
                cancellationToken);
            var created = await run.Client.CreatePolicyAsync(spec.ToPolicy(run.AccountId, [.. resolved.Select(r => r.Crn)]), cancellationToken);
            if (run.Out.Json)
            {
                run.Out.WriteJson(created, ClientJsonContext.Default.PolicyV2);
                return 0;
            }
            run.Out.Ok();
            run.Out.Fields(AuthorizationView.Of(created, run.AccountId, resolved.DistinctBy(r => r.Crn).ToDictionary(r => r.Crn, r => r.DisplayName)).Fields);
            return 0;
        });
    }

    private static async Task<string?> InstanceIdAsync(Invocation run, string? id, string? name, string? service, CancellationToken cancellationToken) =>
        id is not null ? Instances.GuidOf(id)
        : name is not null ? (await Instances.FindAsync(run.Client, run.AccountId, name, service, cancellationToken)).Guid
        : null;

    private static async Task<int> CreateFromFileAsync(Invocation run, string path, CancellationToken cancellationToken)
    {
        string text;
        try
        {
            text = await File.ReadAllTextAsync(path, cancellationToken);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"Cannot read {path}: {e.Message}");
        }
        try
        {
            using var document = JsonDocument.Parse(text);
            if (document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("subject", out _))
            {
                var v2 = await run.Client.CreatePolicyAsync(document.RootElement.Deserialize(ClientJsonContext.Default.PolicyV2)!, cancellationToken);
                Show(run, v2);
            }
            else
            {
                var v1 = await run.Client.CreatePolicyAsync(document.RootElement.Deserialize(ClientJsonContext.Default.PolicyV1)!, cancellationToken);
                Show(run, v1);
            }
            return 0;
        }
        catch (JsonException e)
        {
            throw new CliException($"{path} is not a policy in JSON: {e.Message}");
        }
    }

    private static Command List()
    {
        var apiVersion = ApiVersionOption();
        return new Command("authorization-policies", "List the account's authorization policies").With(apiVersion).Runs(async (run, cancellationToken) =>
        {
            var filter = new PolicyFilter(run.AccountId) { Type = PolicyTypes.Authorization };
            run.Out.Status($"Getting authorization policies under account {run.AccountId} as {run.IamId}...");
            if (run.Value(apiVersion) == "v2")
            {
                var v2 = await run.Client.ListPoliciesV2Async(filter with { Format = "display" }, cancellationToken).ToListAsync(cancellationToken);
                if (run.Out.Json)
                    run.Out.WriteJson(v2, ClientJsonContext.Default.PolicyV2);
                else
                    run.Out.Table(AuthorizationView.Headers, v2.Select(p => AuthorizationView.Of(p, run.AccountId).Row));
                return 0;
            }
            var policies = await run.Client.ListPoliciesAsync(filter, cancellationToken).ToListAsync(cancellationToken);
            if (run.Out.Json)
                run.Out.WriteJson(policies, ClientJsonContext.Default.PolicyV1);
            else
                run.Out.Table(AuthorizationView.Headers, policies.Select(p => AuthorizationView.Of(p, run.AccountId).Row));
            return 0;
        });
    }

    private static Command Get()
    {
        var id = Required("AUTHORIZATION_POLICY_ID", "The policy's ID");
        var apiVersion = ApiVersionOption();
        return new Command("authorization-policy", "Show an authorization policy").With(id, apiVersion).Runs(async (run, cancellationToken) =>
        {
            run.Out.Status($"Getting authorization policy {run.Value(id)} under account {run.AccountId} as {run.IamId}...");
            if (run.Value(apiVersion) == "v2")
                Show(run, await run.Client.GetPolicyV2Async(run.Value(id)!, "display", cancellationToken));
            else
                Show(run, await run.Client.GetPolicyAsync(run.Value(id)!, cancellationToken));
            return 0;
        });
    }

    private static Command Delete()
    {
        var id = Required("AUTHORIZATION_POLICY_ID", "The policy's ID");
        var force = Flag("--force", "Delete without asking", "-f");
        return new Command("authorization-policy-delete", "Delete an authorization policy").With(id, force).Runs(async (run, cancellationToken) =>
        {
            var policy = await run.Client.GetPolicyAsync(run.Value(id)!, cancellationToken);
            if (!run.Value(force))
            {
                var view = AuthorizationView.Of(policy, run.AccountId);
                run.Out.Line($"{view.Source} ({view.SourceAccount}) will no longer be able to act on {view.Target} as {view.Roles}.");
                if (!Confirm(run.Out, $"Delete authorization policy {policy.Id}?"))
                    return 0;
            }
            run.Out.Status($"Deleting authorization policy {policy.Id} under account {run.AccountId} as {run.IamId}...");
            await run.Client.DeletePolicyAsync(policy.Id!, cancellationToken);
            run.Out.Ok();
            return 0;
        });
    }

    private static Command Roles()
    {
        var service = Text("--service", "The service whose roles to list (the target of an authorization)", "SERVICE_NAME");
        var sourceService = Text("--source-service", "Only the roles an authorization from this source may grant", "SOURCE_SERVICE_NAME");
        var command = new Command("roles", "List the roles of a service, or those a source → target pair supports").With(service, sourceService);
        command.Validators.Add(result =>
        {
            if (result.GetResult(sourceService) is { Implicit: false } && result.GetResult(service) is null or { Implicit: true })
                result.AddError("--source-service needs --service (the target)");
        });
        return command.Runs(async (run, cancellationToken) =>
        {
            var roles = await run.Client.ListRolesAsync(run.Value(service) ?? "", run.Value(sourceService),
                run.Value(sourceService) is null ? null : PolicyTypes.Authorization, run.AccountId, cancellationToken);
            if (run.Out.Json)
            {
                run.Out.WriteJson(roles, ClientJsonContext.Default.RoleList);
                return 0;
            }
            run.Out.Table(["Name", "ID", "Description"], roles.All.Select(r => (IReadOnlyList<string?>)[r.DisplayName, r.Crn, r.Description]));
            return 0;
        });
    }

    private static Option<string> ApiVersionOption() =>
        new Option<string>("--api-version") { Description = "The policy view: v1 (default) or v2", HelpName = "v1|v2", DefaultValueFactory = _ => "v1" }
            .AcceptOnlyFromAmong("v1", "v2");

    private static void Show(Invocation run, PolicyV1 policy) =>
        Show(run, policy, ClientJsonContext.Default.PolicyV1, AuthorizationView.Of(policy, run.AccountId));

    private static void Show(Invocation run, PolicyV2 policy) =>
        Show(run, policy, ClientJsonContext.Default.PolicyV2, AuthorizationView.Of(policy, run.AccountId));

    // Either view: the API's object with --output json, else the person's fields.
    private static void Show<TPolicy>(Invocation run, TPolicy policy, System.Text.Json.Serialization.Metadata.JsonTypeInfo<TPolicy> type,
        AuthorizationView view)
        where TPolicy : PolicyBase
    {
        if (run.Out.Json)
            run.Out.WriteJson(policy, type);
        else
            run.Out.Fields([.. view.Fields, ("Description", policy.Description)]);
    }
}
