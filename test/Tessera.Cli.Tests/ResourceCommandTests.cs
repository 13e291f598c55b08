namespace Tessera.Cli.Tests;

/// <summary><c>tessera resource …</c>: instances and groups, and a deletion that says what it removes before it does.</summary>
public sealed class ResourceCommandTests(CliServer server) : IClassFixture<CliServer>
{
    [Fact]
    public async Task Instances_AreCreatedByPlanName_FoundByName_AndTheirDeletionNamesThePoliciesItRemoves()
    {
        var owner = await Signed.NewAccountAsync(server);
        await owner.OkAsync("resource", "group-create", "security");
        Assert.Contains("security", (await owner.OkAsync("resource", "groups")).Stdout);

        var created = await owner.JsonAsync("resource", "service-instance-create", "keys", "kms", "tiered-pricing", "--resource-group-name", "security",
            "--location", "us-south");
        var guid = created.GetProperty("guid").GetString()!;
        Assert.Equal("us-south", created.GetProperty("region_id").GetString());
        var badPlan = await owner.Cli.RunAsync("resource", "service-instance-create", "more", "kms", "platinum");
        Assert.Equal(1, badPlan.ExitCode);
        Assert.Contains("kms has no plan 'platinum'; its plans: ", badPlan.Stderr);

        Assert.Contains($"keys   kms       us-south   active   {guid}", (await owner.OkAsync("resource", "service-instances")).Stdout);
        Assert.True(Signed.SameJson(await owner.GetAsync($"/v2/resource_instances/{guid}"), await owner.JsonAsync("resource", "service-instance", "keys")));

        var authorization = await owner.JsonAsync("iam", "authorization-policy-create", "cloud-object-storage", "kms", "Reader",
            "--target-service-instance-id", created.GetProperty("crn").GetString()!);
        var policyId = authorization.GetProperty("id").GetString()!;

        var kept = await owner.Cli.AnsweringAsync("n\n", "resource", "service-instance-delete", "keys");
        Assert.Equal(0, kept.ExitCode);
        Assert.Contains($"Deleting service instance keys ({guid}) also removes 1 policy, and what they allow stops working:", kept.Stdout);
        Assert.Contains(policyId, kept.Stdout);
        Assert.Equal("active", (await owner.GetAsync($"/v2/resource_instances/{guid}")).GetProperty("state").GetString());

        await owner.OkAsync("resource", "service-instance-delete", "keys", "-f");
        Assert.Equal("deleted", (await owner.GetAsync($"/v1/policies/{policyId}")).GetProperty("state").GetString());
        var gone = await owner.Cli.RunAsync("resource", "service-instance", "keys");
        Assert.Equal(1, gone.ExitCode);

        await owner.OkAsync("resource", "group-delete", "security", "-f");
        Assert.DoesNotContain("security", (await owner.OkAsync("resource", "groups")).Stdout);
    }

    [Fact]
    public async Task AGroupThatHoldsInstances_IsNotDeleted()
    {
        var owner = await Signed.NewAccountAsync(server);
        await owner.OkAsync("resource", "group-create", "busy");
        await owner.OkAsync("resource", "service-instance-create", "queue", "messagehub", "standard", "--resource-group-name", "busy");
        var refused = await owner.Cli.RunAsync("resource", "group-delete", "busy", "-f");
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("still holds service instances", refused.Stderr);
    }
}
