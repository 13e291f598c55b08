namespace Tessera.Cli.Tests;

/// <summary><c>tessera apply -f</c>: the plan, idempotence, <c>--dry-run</c>, <c>--prune</c>, both file formats, and its errors.</summary>
public sealed class ApplyCommandTests(CliServer server) : IClassFixture<CliServer>
{
    [Fact]
    public async Task Apply_CreatesWhatIsMissing_ASecondApplyChangesNothing_AndDryRunNothingAtAll()
    {
        var owner = await Signed.NewAccountAsync(server);
        var file = Write(owner, "authorizations.yaml", $"""
            # the seed's authorizations
            authorizations:
              - source_service_name: atracker
                target_service_name: cloud-object-storage
                roles: ["Object Writer"]
                target_resource_type: bucket
                target_resource: audit
              - source_service_name: cloud-object-storage
                target_service_name: kms
                roles: [Reader]
                source_resource_group_id: "*"
              - source_service_name: atracker
                target_service_name: cloud-object-storage
                roles: Object Writer
                source_service_account: {Guid.NewGuid():N}
            """);

        var dryRun = await owner.OkAsync("apply", "-f", file, "--dry-run");
        Assert.Contains("Plan: 3 to create, 0 unchanged, 0 to delete.", dryRun.Stdout);
        Assert.Contains("+ atracker, all instances (This account) -> cloud-object-storage, bucket audit: Object Writer", dryRun.Stdout);
        Assert.Contains("Dry run: nothing was changed.", dryRun.Stdout);
        Assert.Empty(await AuthorizationsAsync(owner));

        var first = await owner.OkAsync("apply", "-f", file);
        Assert.Contains("Applied: 3 created, 0 unchanged, 0 deleted", first.Stdout);
        var afterFirst = await AuthorizationsAsync(owner);
        Assert.Equal(3, afterFirst.Count);

        var second = await owner.OkAsync("apply", "-f", file);
        Assert.Contains("Plan: 0 to create, 3 unchanged, 0 to delete.", second.Stdout);
        Assert.Contains("Nothing to change.", second.Stdout);
        Assert.Equal(afterFirst, await AuthorizationsAsync(owner));
    }

    [Fact]
    public async Task Prune_DeletesWhatTheFileDoesNotList_AndJsonFilesWorkToo()
    {
        var owner = await Signed.NewAccountAsync(server);
        var extra = await owner.JsonAsync("iam", "authorization-policy-create", "logs", "cloud-object-storage", "Writer");
        var file = Write(owner, "authorizations.json", """
            {"authorizations": [{"source_service_name": "atracker", "target_service_name": "cloud-object-storage", "roles": ["Object Writer"]}]}
            """);

        var withoutPrune = await owner.OkAsync("apply", "-f", file);
        Assert.Contains("Plan: 1 to create, 0 unchanged, 0 to delete.", withoutPrune.Stdout);
        Assert.Equal(2, (await AuthorizationsAsync(owner)).Count);

        var summary = await owner.JsonAsync("apply", "-f", file, "--prune");
        Assert.Equal([extra.GetProperty("id").GetString()], summary.GetProperty("deleted").EnumerateArray().Select(e => e.GetString()));
        Assert.Single(summary.GetProperty("unchanged").EnumerateArray());
        Assert.Empty(summary.GetProperty("created").EnumerateArray());
        Assert.Single(await AuthorizationsAsync(owner));
    }

    [Fact]
    public async Task ALargeFile_IsAppliedInBatches_WithProgress()
    {
        var owner = await Signed.NewAccountAsync(server);
        var file = Write(owner, "many.yaml", ManyKeyManagerAuthorizations(120));

        var applied = await owner.OkAsync("apply", "-f", file, "--batch-size", "50");
        Assert.Contains("Plan: 120 to create, 0 unchanged, 0 to delete.", applied.Stdout);
        Assert.Contains("  + ... and 100 more", applied.Stdout);
        Assert.Contains("Applied 120 of 120", applied.Stdout);
        Assert.Contains("Applied: 120 created", applied.Stdout);
        Assert.Equal(120, (await AuthorizationsAsync(owner)).Count);
        Assert.Contains("Plan: 0 to create, 120 unchanged", (await owner.OkAsync("apply", "-f", file)).Stdout);
    }

    [Fact]
    public async Task OnATerminal_ALargeApplyShowsAProgressBar()
    {
        var owner = await Signed.NewAccountAsync(server);
        var file = Write(owner, "terminal.yaml", ManyKeyManagerAuthorizations(60));

        // util-linux's script(1) gives the run a pseudo-terminal, as a person's shell would.
        var onTerminal = new Cli(owner.Cli.ConfigDirectory, new Dictionary<string, string> { ["TERM"] = "xterm-256color", ["COLUMNS"] = "120" });
        var result = await onTerminal.RunThroughAsync("script", "-qec", $"dotnet {Path.Combine(AppContext.BaseDirectory, "tessera.dll")} apply -f {file} --batch-size 10",
            "/dev/null");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("Applying", result.Stdout);
        Assert.Contains("100%", result.Stdout);
        Assert.Contains("━", result.Stdout);
        Assert.DoesNotContain("Applied 60 of 60", result.Stdout);
        Assert.Equal(60, (await AuthorizationsAsync(owner)).Count);
    }

    [Theory]
    [InlineData("authorizations:\n  - source_service_name: atracker\n    target_servce_name: kms\n    roles: [Reader]\n", "authorizations[0]: unknown argument 'target_servce_name'")]
    [InlineData("policies: []\n", "expected a top-level 'authorizations:' list")]
    [InlineData("authorizations:\n  - source_service_name: atracker\n    target_service_name: cloud-object-storage\n    roles: [Writer]\n",
        "authorizations[0]: Role 'Writer' is not one an authorization from atracker to cloud-object-storage can grant")]
    [InlineData("authorizations:\n  - source_service_name: atracker\n    target_service_name: kms\n", "authorizations[0]: an authorization needs at least one role")]
    [InlineData("authorizations: [ {\n", "")]
    public async Task ABadFile_FailsNamingTheItem_AndChangesNothing(string yaml, string message)
    {
        var owner = await Signed.NewAccountAsync(server);
        var result = await owner.Cli.RunAsync("apply", "-f", Write(owner, "bad.yaml", yaml));
        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("FAILED: ", result.Stderr);
        Assert.Contains(message, result.Stderr);
        Assert.Empty(await AuthorizationsAsync(owner));
    }

    // Object storage reading n key managers' keys, one instance each.
    private static string ManyKeyManagerAuthorizations(int n) =>
        "authorizations:\n" + string.Join('\n', Enumerable.Range(0, n).Select(_ => $"""
              - source_service_name: cloud-object-storage
                target_service_name: kms
                roles: [Reader]
                target_resource_instance_id: {Guid.NewGuid()}
            """));

    private static string Write(Signed owner, string name, string text)
    {
        var path = Path.Combine(owner.Cli.ConfigDirectory, name);
        File.WriteAllText(path, text);
        return path;
    }

    private static async Task<List<string>> AuthorizationsAsync(Signed owner) =>
        [.. (await owner.GetAsync($"/v1/policies?account_id={owner.AccountId}&type=authorization")).GetProperty("policies").EnumerateArray()
            .Select(p => p.GetProperty("id").GetString()!).Order()];
}
