using System.Text.Json;

namespace Tessera.Cli.Tests;

/// <summary><c>tessera iam authorization-policy-create | authorization-policies | authorization-policy | authorization-policy-delete | roles</c>.</summary>
public sealed class AuthorizationCommandTests(CliServer server) : IClassFixture<CliServer>
{
    [Fact]
    public async Task Create_ResolvesInstanceNamesAndRoleNames_IntoTheBodyTerraformSends()
    {
        var owner = await Signed.NewAccountAsync(server);
        var (_, keys) = await owner.KeysInstanceAsync();

        var created = await owner.OkAsync("iam", "authorization-policy-create", "cloud-object-storage", "kms", "reader",
            "--target-service-instance-name", "keys", "--source-resource-group-id", "*");
        Assert.Contains("OK", created.Stdout);
        Assert.Contains($"kms, instance {keys}", created.Stdout);
        Assert.Contains("Roles:            Reader", created.Stdout);
        Assert.Contains("Source account:   This account", created.Stdout);

        var id = System.Text.RegularExpressions.Regex.Match(created.Stdout, @"ID:\s+(\S+)").Groups[1].Value;
        var policy = await owner.GetAsync($"/v2/policies/{id}");
        Assert.Equal(["serviceName stringEquals cloud-object-storage", $"accountId stringEquals {owner.AccountId}", "resourceGroupId stringExists True"],
            Attributes(policy.GetProperty("subject")));
        Assert.Equal(["serviceName stringEquals kms", $"accountId stringEquals {owner.AccountId}", $"serviceInstance stringEquals {keys}"],
            Attributes(policy.GetProperty("resource")));
        Assert.Equal("crn:v1:bluemix:public:iam::::serviceRole:Reader",
            policy.GetProperty("control").GetProperty("grant").GetProperty("roles")[0].GetProperty("role_id").GetString());
    }

    [Fact]
    public async Task Create_WithARoleThePairDoesNotOffer_ListsTheValidRoles_AndCreatesNothing()
    {
        var owner = await Signed.NewAccountAsync(server);
        var result = await owner.Cli.RunAsync("iam", "authorization-policy-create", "atracker", "cloud-object-storage", "Writer");
        Assert.Equal(1, result.ExitCode);
        Assert.Equal(
            "FAILED: Role 'Writer' is not one an authorization from atracker to cloud-object-storage can grant. Valid roles: Object Writer.",
            result.Stderr.Trim());
        Assert.Empty((await owner.GetAsync($"/v1/policies?account_id={owner.AccountId}&type=authorization")).GetProperty("policies").EnumerateArray());

        var unknownPair = await owner.Cli.RunAsync("iam", "authorization-policy-create", "atracker", "kms", "Reader");
        Assert.Equal(1, unknownPair.ExitCode);
        Assert.Matches(@"^FAILED: kms does not accept authorizations from atracker; .* \(role_not_supported, 404, transaction [0-9a-f]{32}\)$", unknownPair.Stderr.Trim());
    }

    [Theory]
    [InlineData("--source-service-instance-name", "a", "--source-service-instance-id", "b")]
    [InlineData("--source-service-instance-name", "a", "--source-service-account", "b")]
    [InlineData("--source-resource-group-id", "a", "--source-service-instance-id", "b")]
    [InlineData("--target-service-instance-name", "a", "--target-service-instance-id", "b")]
    [InlineData("--target-resource-group-id", "a", "--target-service-instance-id", "b")]
    public async Task Create_WithFlagsThatExcludeEachOther_IsAUsageError_WithTheCommandsHelp(string first, string a, string second, string b)
    {
        var owner = await Signed.NewAccountAsync(server);
        var result = await owner.Cli.RunAsync("iam", "authorization-policy-create", "atracker", "cloud-object-storage", "Object Writer", first, a, second, b);
        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith($"Incorrect usage: {first} and {second} exclude each other", result.Stderr);
        Assert.Contains("tessera iam authorization-policy-create [<SOURCE_SERVICE_NAME>", result.Stderr);
        Assert.Equal("", result.Stdout);
    }

    [Fact]
    public async Task Create_NeedsItsArgumentsOrAFile_AndAFileExcludesThem()
    {
        var owner = await Signed.NewAccountAsync(server);
        var missing = await owner.Cli.RunAsync("iam", "authorization-policy-create", "atracker");
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("SOURCE_SERVICE_NAME, TARGET_SERVICE_NAME and ROLE_NAMES are required (or --file)", missing.Stderr);

        var file = Path.Combine(owner.Cli.ConfigDirectory, "policy.json");
        File.WriteAllText(file, $$"""
            {"type":"authorization",
             "subjects":[{"attributes":[{"name":"accountId","value":"{{owner.AccountId}}"},{"name":"serviceName","value":"atracker"}]}],
             "roles":[{"role_id":"crn:v1:bluemix:public:cloud-object-storage::::serviceRole:ObjectWriter"}],
             "resources":[{"attributes":[{"name":"accountId","value":"{{owner.AccountId}}"},{"name":"serviceName","value":"cloud-object-storage"}]}]}
            """);
        var both = await owner.Cli.RunAsync("iam", "authorization-policy-create", "atracker", "cloud-object-storage", "Object Writer", "--file", file);
        Assert.Equal(2, both.ExitCode);
        Assert.Contains("--file takes the whole policy", both.Stderr);

        var fromFile = await owner.JsonAsync("iam", "authorization-policy-create", "--file", file);
        Assert.Equal("authorization", fromFile.GetProperty("type").GetString());
        Assert.Equal("Object Writer", fromFile.GetProperty("roles")[0].GetProperty("display_name").GetString());
    }

    [Fact]
    public async Task ListAndGet_PrintTheSeedsColumns_AndJsonIsExactlyTheApisObjects()
    {
        var owner = await Signed.NewAccountAsync(server);
        var other = await server.NewAccountAsync();
        await owner.OkAsync("iam", "authorization-policy-create", "atracker", "cloud-object-storage", "Object Writer",
            "--target-resource-type", "bucket", "--target-resource", "audit");
        await owner.OkAsync("iam", "authorization-policy-create", "atracker", "cloud-object-storage", "Object Writer", "--source-service-account", other.AccountId);

        var table = (await owner.OkAsync("iam", "authorization-policies")).Stdout.Split('\n');
        Assert.Matches(@"^ID\s+Source\s+Target\s+Roles\s+Source account\s+Created by$", table[1]);
        Assert.Contains(table, line => line.Contains("cloud-object-storage, bucket audit") && line.Contains("This account"));
        Assert.Contains(table, line => line.Contains("cloud-object-storage, all instances") && line.Contains(other.AccountId));
        Assert.All(table, line => Assert.False(line.EndsWith(' '), $"'{line}' ends with a space"));

        var listed = await owner.JsonAsync("iam", "authorization-policies");
        var fromApi = (await owner.GetAsync($"/v1/policies?account_id={owner.AccountId}&type=authorization")).GetProperty("policies");
        Assert.True(Signed.SameJson(fromApi, listed), $"CLI:\n{listed}\nAPI:\n{fromApi}");

        var listedV2 = await owner.JsonAsync("iam", "authorization-policies", "--api-version", "v2");
        var fromApiV2 = (await owner.GetAsync($"/v2/policies?account_id={owner.AccountId}&type=authorization&format=display")).GetProperty("policies");
        Assert.True(Signed.SameJson(fromApiV2, listedV2), $"CLI:\n{listedV2}\nAPI:\n{fromApiV2}");

        var id = listed[0].GetProperty("id").GetString()!;
        Assert.True(Signed.SameJson(await owner.GetAsync($"/v1/policies/{id}"), await owner.JsonAsync("iam", "authorization-policy", id)));
        Assert.True(Signed.SameJson(await owner.GetAsync($"/v2/policies/{id}?format=display"),
            await owner.JsonAsync("iam", "authorization-policy", id, "--api-version", "v2")));
        var shown = await owner.OkAsync("iam", "authorization-policy", id);
        Assert.Contains($"ID:               {id}", shown.Stdout);

        var missing = await owner.Cli.RunAsync("iam", "authorization-policy", "00000000-0000-0000-0000-000000000000");
        Assert.Equal(1, missing.ExitCode);
        Assert.Matches(@"^FAILED: Policy with Id 0{8}-0{4}-0{4}-0{4}-0{12} not found\. \(policy_not_found, 404, transaction [0-9a-f]{32}\)$", missing.Stderr.Trim());
    }

    [Fact]
    public async Task Delete_AsksFirst_SaysWhatStopsWorking_AndOnlyYesOrForceDeletes()
    {
        var owner = await Signed.NewAccountAsync(server);
        var created = await owner.JsonAsync("iam", "authorization-policy-create", "atracker", "cloud-object-storage", "Object Writer");
        var id = created.GetProperty("id").GetString()!;

        var no = await owner.Cli.AnsweringAsync("n\n", "iam", "authorization-policy-delete", id);
        Assert.Equal(0, no.ExitCode);
        Assert.Contains("atracker, all instances (This account) will no longer be able to act on cloud-object-storage, all instances as Object Writer.", no.Stdout);
        Assert.Contains("Nothing was deleted.", no.Stdout);
        Assert.Equal("active", (await owner.GetAsync($"/v1/policies/{id}")).GetProperty("state").GetString());

        var nobody = await owner.Cli.RunAsync("iam", "authorization-policy-delete", id);
        Assert.Equal(1, nobody.ExitCode);
        Assert.Contains("pass -f to delete without asking", nobody.Stderr);
        Assert.Equal("active", (await owner.GetAsync($"/v1/policies/{id}")).GetProperty("state").GetString());

        var yes = await owner.Cli.AnsweringAsync("y\n", "iam", "authorization-policy-delete", id);
        Assert.Equal(0, yes.ExitCode);
        Assert.Equal("deleted", (await owner.GetAsync($"/v1/policies/{id}")).GetProperty("state").GetString());

        var again = await owner.JsonAsync("iam", "authorization-policy-create", "atracker", "cloud-object-storage", "Object Writer");
        await owner.OkAsync("iam", "authorization-policy-delete", again.GetProperty("id").GetString()!, "-f");
        Assert.Equal("deleted", (await owner.GetAsync($"/v1/policies/{again.GetProperty("id").GetString()}")).GetProperty("state").GetString());
    }

    [Fact]
    public async Task Roles_ListsWhatAPairSupports_AndItsJsonIsTheApis()
    {
        var owner = await Signed.NewAccountAsync(server);
        var table = await owner.OkAsync("iam", "roles", "--service", "cloud-object-storage", "--source-service", "atracker");
        Assert.Contains("Object Writer   crn:v1:bluemix:public:cloud-object-storage::::serviceRole:ObjectWriter", table.Stdout);
        Assert.DoesNotContain("Reader", table.Stdout);
        Assert.True(Signed.SameJson(
            await owner.GetAsync($"/v2/roles?service_name=kms&account_id={owner.AccountId}"),
            await owner.JsonAsync("iam", "roles", "--service", "kms")));

        var alone = await owner.Cli.RunAsync("iam", "roles", "--source-service", "atracker");
        Assert.Equal(2, alone.ExitCode);
        Assert.Contains("--source-service needs --service", alone.Stderr);
    }

    private static string[] Attributes(JsonElement side) =>
        [.. side.GetProperty("attributes").EnumerateArray().Select(a => $"{a.GetProperty("key")} {a.GetProperty("operator")} {a.GetProperty("value")}")];
}
