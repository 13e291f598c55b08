using System.CommandLine;
using System.Diagnostics;
using Spectre.Console;
using Tessera.Cli.Authorizations;
using Tessera.Cli.Output;
using Tessera.Cli.Commands;
using Tessera.Client;
using Tessera.Client.Models;
using static Tessera.Cli.Commands.CommandKit;

namespace Tessera.Cli.Apply;

/// <summary>
/// <c>tessera apply -f FILE [--dry-run] [--prune]</c>: makes the account's authorizations what the file says. It reads the
/// file and the account's authorizations, resolves every role through <c>/v2/roles</c>, shows the plan (create /
/// unchanged / delete, counted), and then — unless <c>--dry-run</c> — creates what is missing in batches (one transaction
/// each) and, with <c>--prune</c>, deletes what the file does not list, with a progress bar on a terminal. Applying the
/// same file again changes nothing.
/// </summary>
internal static class ApplyCommand
{
    private const int ListedPerKind = 20;
    private const int ProgressFrom = 50;

    public static Command Apply()
    {
        var file = new Option<string>("--file", "-f") { Description = "The file of authorizations (YAML or JSON; - for stdin)", HelpName = "FILE", Required = true };
        var dryRun = Flag("--dry-run", "Show the plan and change nothing");
        var prune = Flag("--prune", "Also delete the account's authorizations the file does not list (not those services created by delegation)");
        var batch = new Option<int>("--batch-size")
        {
            Description = $"Authorizations created per request (1 to {TesseraClient.MaxBatch}; 1 uses IBM's one-policy create)",
            HelpName = "N",
            DefaultValueFactory = _ => 500,
        };
        batch.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() is < 1 or > TesseraClient.MaxBatch)
                result.AddError($"--batch-size must be from 1 to {TesseraClient.MaxBatch}");
        });
        return new Command("apply", "Make the account's authorizations what a file declares").With(file, dryRun, prune, batch).Runs(async (run, cancellationToken) =>
        {
            var specs = AuthorizationFile.Read(run.Value(file)!);
            run.Out.Status($"Reading the authorizations of account {run.AccountId} as {run.IamId}...");
            var existing = await run.Client.ListPoliciesV2Async(
                new PolicyFilter(run.AccountId) { Type = PolicyTypes.Authorization }, cancellationToken).ToListAsync(cancellationToken);
            var desired = await ResolveAsync(run, specs, cancellationToken);
            var plan = ApplyPlan.Of(desired, existing, run.Value(prune));
            ShowPlan(run, plan, await RoleNamesAsync(run, cancellationToken));
            if (run.Value(dryRun) || plan.ChangesNothing)
            {
                run.Out.Status(run.Value(dryRun) ? "Dry run: nothing was changed." : "Nothing to change.");
                WriteSummary(run, [], plan, [], TimeSpan.Zero);
                return 0;
            }

            var clock = Stopwatch.StartNew();
            var created = new List<PolicyV2>(plan.Create.Count);
            var deleted = new List<string>(plan.Delete.Count);
            try
            {
                await WithProgressAsync(run, plan.Create.Count + plan.Delete.Count, async advance =>
                {
                    foreach (var chunk in plan.Create.Chunk(run.Value(batch)))
                    {
                        if (chunk.Length == 1)
                            created.Add(await run.Client.CreatePolicyAsync(chunk[0], cancellationToken));
                        else
                            created.AddRange(await run.Client.CreatePoliciesAsync(chunk, cancellationToken));
                        advance(chunk.Length);
                    }
                    foreach (var stale in plan.Delete)
                    {
                        await run.Client.DeletePolicyAsync(stale.Id!, cancellationToken);
                        deleted.Add(stale.Id!);
                        advance(1);
                    }
                });
            }
            catch (TesseraApiException e)
            {
                throw new CliException($"{e.Message}; before it, {created.Count} of {plan.Create.Count} were created and {deleted.Count} of " +
                                       $"{plan.Delete.Count} deleted. Apply again to go on: what is done stays done.");
            }
            WriteSummary(run, created, plan, deleted, clock.Elapsed);
            return 0;
        });
    }

    // Every item's roles, resolved once per source → target pair; an error names the item.
    private static async Task<List<PolicyV2>> ResolveAsync(Invocation run, IReadOnlyList<AuthorizationSpec> specs, CancellationToken cancellationToken)
    {
        var roles = new RoleResolver(run.Client, run.AccountId);
        var policies = new List<PolicyV2>(specs.Count);
        for (var i = 0; i < specs.Count; i++)
        {
            var spec = specs[i];
            try
            {
                var resolved = await roles.ForAuthorizationAsync(spec.SourceServiceName, spec.RoleService, spec.Roles, cancellationToken);
                policies.Add(spec.ToPolicy(run.AccountId, [.. resolved.Select(r => r.Crn)]));
            }
            catch (Exception e) when (e is CliException or TesseraApiException)
            {
                throw new CliException($"authorizations[{i}]: {(e as TesseraApiException)?.ServerMessage ?? e.Message}");
            }
        }
        return policies;
    }

    // Every role's display name, from the catalog in one request (the v2 list names roles only by CRN).
    private static async Task<Dictionary<string, string>> RoleNamesAsync(Invocation run, CancellationToken cancellationToken)
    {
        var catalog = await run.Client.GetCatalogAsync(cancellationToken);
        return catalog.PlatformRoles.Concat(catalog.Services.SelectMany(s => s.Roles)).DistinctBy(r => r.Crn).ToDictionary(r => r.Crn, r => r.DisplayName);
    }

    private static void ShowPlan(Invocation run, ApplyPlan plan, Dictionary<string, string> roleNames)
    {
        if (run.Out.Quiet)
            return;
        run.Out.Line($"Plan: {plan.Create.Count} to create, {plan.Unchanged.Count} unchanged, {plan.Delete.Count} to delete" +
                     (plan.KeptDelegated > 0 ? $" ({plan.KeptDelegated} created by services kept)." : "."));
        List("+", plan.Create);
        List("-", plan.Delete);

        void List(string sign, IReadOnlyList<PolicyV2> policies)
        {
            foreach (var policy in policies.Take(ListedPerKind))
            {
                var view = AuthorizationView.Of(policy, run.AccountId, roleNames);
                run.Out.Line($"  {sign} {view.Source} ({view.SourceAccount}) -> {view.Target}: {view.Roles}{(policy.Id is null ? "" : $"  [{policy.Id}]")}");
            }
            if (policies.Count > ListedPerKind)
                run.Out.Line($"  {sign} ... and {policies.Count - ListedPerKind} more");
        }
    }

    // A bar on a terminal; elsewhere (a log, a pipe) a line at every tenth of the way, so a long apply still shows it moves.
    private static async Task WithProgressAsync(Invocation run, int total, Func<Action<int>, Task> work)
    {
        if (total < ProgressFrom || run.Out.Quiet)
        {
            await work(_ => { });
            return;
        }
        if (run.Out.Interactive)
        {
            await run.Out.Console.Progress().Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(),
                    new RemainingTimeColumn(), new SpinnerColumn())
                .StartAsync(async context =>
                {
                    var task = context.AddTask("Applying", maxValue: total);
                    await work(n => task.Increment(n));
                });
            return;
        }
        var done = 0;
        await work(n =>
        {
            var before = done * 10 / total;
            done += n;
            if (done * 10 / total > before)
                run.Out.Line($"Applied {done} of {total}");
        });
    }

    private static void WriteSummary(Invocation run, List<PolicyV2> created, ApplyPlan plan, List<string> deleted, TimeSpan took)
    {
        if (run.Out.Json)
        {
            run.Out.WriteJson(new ApplySummary(created, [.. plan.Unchanged.Select(p => p.Id!)], deleted), CliOutputContext.Default.ApplySummary);
            return;
        }
        if (created.Count + deleted.Count > 0)
            run.Out.Status($"Applied: {created.Count} created, {plan.Unchanged.Count} unchanged, {deleted.Count} deleted in {took.TotalSeconds:0.0} s.");
    }
}

/// <summary>What <c>apply --output json</c> prints: the created policies, and the ids left as they were and deleted.</summary>
internal sealed record ApplySummary(IReadOnlyList<PolicyV2> Created, IReadOnlyList<string> Unchanged, IReadOnlyList<string> Deleted);
