using System.CommandLine;
using System.Text.Json;
using Tessera.Cli.Output;
using Tessera.Client;
using Tessera.Client.Models;
using static Tessera.Cli.Commands.CommandKit;

namespace Tessera.Cli.Commands;

/// <summary>
/// Beyond <c>ibmcloud</c>: <c>tessera check</c> asks the decision API as a target service would (exit 0 on permit, 1 on
/// deny); <c>who-can</c> and <c>what-can</c> ask its searches, every page.
/// </summary>
internal static class DecisionCommands
{
    public static IEnumerable<Command> All() => [Check(), WhoCan(), WhatCan()];

    private static Command Check()
    {
        var source = Required("SOURCE_CRN", "The source service instance's CRN");
        var action = Required("ACTION", "The action, e.g. cloud-object-storage.object.put");
        var target = Required("TARGET_CRN", "The target resource's CRN");
        var explain = Flag("--explain", "Also show the closest policies and what did not match (needs the right to read the account's policies)");
        return new Command("check", "May SOURCE do ACTION on TARGET? Exit 0 on permit, 1 on deny").With(source, action, target, explain)
            .Runs(async (run, cancellationToken) =>
            {
                var decision = await run.Client.EvaluateAsync(new EvaluationRequest(AuthZenEntity.Service(run.Value(source)!),
                    new AuthZenAction { Name = run.Value(action)! }, Resource(run.Value(target)!))
                {
                    Context = run.Value(explain) ? new DecisionRequestContext { Explain = true } : null,
                }, cancellationToken);
                if (run.Out.Json)
                    run.Out.WriteJson(decision, ClientJsonContext.Default.Decision);
                else
                    Show(run, decision);
                return decision.Value ? 0 : 1;
            });
    }

    private static void Show(Invocation run, Decision decision)
    {
        run.Out.Line(decision.Value ? "permit" : "deny");
        if (decision.Context is not { } context)
            return;
        if (context.PolicyIds is { Count: > 0 } ids)
            run.Out.Line($"  by {(ids.Count == 1 ? "policy" : "policies")} {string.Join(", ", ids)}");
        if (context.Reason is { } reason)
            run.Out.Line($"  because {reason}{(context.ReasonCode is { } code ? $" ({code})" : "")}");
        if (context.Explanation is { ValueKind: JsonValueKind.Object } explanation
            && explanation.TryGetProperty("closest_policies", out var closest) && closest.ValueKind == JsonValueKind.Array)
        {
            foreach (var policy in closest.EnumerateArray())
            {
                run.Out.Line($"  closest: policy {policy.GetProperty("policy_id").GetString()}");
                if (policy.TryGetProperty("mismatches", out var mismatches))
                {
                    foreach (var mismatch in mismatches.EnumerateArray())
                        run.Out.Line($"    - {mismatch.GetString()}");
                }
            }
        }
    }

    private static Command WhoCan()
    {
        var action = Required("ACTION", "The action, e.g. cloud-object-storage.object.put");
        var target = Required("TARGET_CRN", "The target resource's CRN");
        return new Command("who-can", "Which services and identities may do ACTION on TARGET").With(action, target).Runs(async (run, cancellationToken) =>
        {
            var found = await run.Client.SearchSubjectsAsync(new SearchRequest
            {
                Action = new AuthZenAction { Name = run.Value(action)! },
                Resource = Resource(run.Value(target)!),
            }, cancellationToken).ToListAsync(cancellationToken);
            WriteResults(run, found);
            return 0;
        });
    }

    private static Command WhatCan()
    {
        var source = Required("SOURCE_CRN", "The source service instance's CRN");
        var action = Text("--action", "Only this action (otherwise every action the catalog lets the source's service be granted)", "ACTION");
        return new Command("what-can", "What SOURCE may reach, and with which actions").With(source, action).Runs(async (run, cancellationToken) =>
        {
            var actions = run.Value(action) is { } one ? [one] : await ActionsOfferedToAsync(run, ServiceOf(run.Value(source)!), cancellationToken);
            var reach = new List<(string Action, JsonElement Resource)>();
            foreach (var name in actions)
            {
                await foreach (var resource in run.Client.SearchResourcesAsync(new SearchRequest
                               {
                                   Subject = AuthZenEntity.Service(run.Value(source)!),
                                   Action = new AuthZenAction { Name = name },
                               }, cancellationToken))
                {
                    reach.Add((name, resource));
                }
            }
            if (run.Out.Json)
            {
                run.Out.WriteJson(reach.Select(r => new WhatCanItem(r.Action, r.Resource)), CliOutputContext.Default.WhatCanItem);
                return 0;
            }
            run.Out.Table(["Resource", "Actions"], reach.GroupBy(r => Describe(r.Resource)).Select(g => (IReadOnlyList<string?>)
                [g.Key, string.Join(", ", g.Select(r => r.Action).Distinct())]));
            return 0;
        });
    }

    // The actions of every role that some authorization from this service may grant, across the catalog.
    private static async Task<IReadOnlyList<string>> ActionsOfferedToAsync(Invocation run, string sourceService, CancellationToken cancellationToken)
    {
        var catalog = await run.Client.GetCatalogAsync(cancellationToken);
        var actionsByRole = catalog.Services.SelectMany(s => s.Roles).Concat(catalog.PlatformRoles)
            .GroupBy(r => r.Crn).ToDictionary(g => g.Key, g => g.SelectMany(r => r.Actions).ToArray());
        return [.. catalog.Services
            .SelectMany(target => target.SupportedAuthorizations.Where(a => a.SourceServiceName == sourceService)
                .SelectMany(a => a.Roles).SelectMany(role => actionsByRole.GetValueOrDefault(role) ?? [])
                .Where(a => a.StartsWith(target.Name + ".", StringComparison.Ordinal)))
            .Distinct()];
    }

    private static void WriteResults(Invocation run, List<JsonElement> results)
    {
        if (run.Out.Json)
        {
            run.Out.WriteJson(results, ClientJsonContext.Default.JsonElement);
            return;
        }
        run.Out.Table(["Type", "ID", "Scope"], results.Select(r => (IReadOnlyList<string?>)
        [
            r.TryGetProperty("type", out var type) ? type.GetString() : null, r.TryGetProperty("id", out var id) ? id.GetString() : null, Describe(r),
        ]));
    }

    private static string Describe(JsonElement result) =>
        result.TryGetProperty("properties", out var properties) && properties.ValueKind == JsonValueKind.Object
            ? string.Join(", ", properties.EnumerateObject().Select(p => $"{p.Name}={p.Value}"))
            : result.TryGetProperty("id", out var id) ? id.ToString() : "";

    /// <summary>An AuthZEN resource for a CRN: its type is the CRN's resource type, or the instance itself.</summary>
    private static AuthZenEntity Resource(string crn)
    {
        var parts = crn.Split(':');
        if (parts.Length < 10 || parts[0] != "crn")
            throw new CliException($"'{crn}' is not a CRN (crn:v1:…:service:region:a/account:instance:type:resource).");
        return new AuthZenEntity { Type = parts[8].Length > 0 ? parts[8] : "instance", Id = crn };
    }

    private static string ServiceOf(string crn)
    {
        var parts = crn.Split(':');
        return parts.Length >= 5 && parts[0] == "crn" && parts[4].Length > 0 ? parts[4] : throw new CliException($"'{crn}' is not a CRN.");
    }
}

/// <summary>One thing <c>what-can</c> found: an action and a resource it is allowed on.</summary>
internal sealed record WhatCanItem(string Action, JsonElement Resource);
