using System.Text.Json;

namespace Tessera.Cli.Tests;

/// <summary>Service IDs and their keys, your own keys, users, access policies and access groups, and <c>account-create</c>.</summary>
public sealed class IdentityAndAccessCommandTests(CliServer server) : IClassFixture<CliServer>
{
    [Fact]
    public async Task ServiceIdsAndTheirKeys_TheSecretIsShownOnce_AndTheKeySignsIn()
    {
        var owner = await Signed.NewAccountAsync(server);
        var created = await owner.OkAsync("iam", "service-id-create", "router", "-d", "routes audit events");
        Assert.Contains("Name:          router", created.Stdout);
        var listed = await owner.JsonAsync("iam", "service-ids");
        var serviceId = Assert.Single(listed.EnumerateArray());
        Assert.Equal("routes audit events", serviceId.GetProperty("description").GetString());
        Assert.True(Signed.SameJson(await owner.GetAsync($"/v1/serviceids/{serviceId.GetProperty("id").GetString()}"),
            await owner.JsonAsync("iam", "service-id", "router")));

        var keyFile = Path.Combine(owner.Cli.ConfigDirectory, "router-key.json");
        var key = await owner.OkAsync("iam", "service-api-key-create", "deploy", "router", "--file", keyFile);
        var secret = System.Text.RegularExpressions.Regex.Match(key.Stdout, @"API Key:\s+(\S+)").Groups[1].Value;
        Assert.NotEmpty(secret);
        Assert.Contains("cannot be retrieved after it's created", key.Stdout);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keyFile));
        var keys = await owner.OkAsync("iam", "service-api-keys", "router");
        Assert.Contains("deploy", keys.Stdout);
        Assert.DoesNotContain(secret, keys.Stdout);

        var asRouter = server.NewCli();
        var login = await asRouter.RunAsync("login", "-a", server.Url.ToString(), "--apikey", "@" + keyFile);
        Assert.True(login.ExitCode == 0, login.ToString());
        Assert.Contains(serviceId.GetProperty("iam_id").GetString()!, login.Stdout);

        await owner.OkAsync("iam", "service-api-key-delete", "deploy", "router", "-f");
        var refused = await asRouter.RunAsync("iam", "authorization-policies");
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("FAILED: ", refused.Stderr);

        await owner.OkAsync("iam", "service-id-delete", "router", "-f");
        Assert.Empty((await owner.JsonAsync("iam", "service-ids")).EnumerateArray());
    }

    [Fact]
    public async Task YourOwnKeys_AreCreatedListedAndDeleted()
    {
        var owner = await Signed.NewAccountAsync(server);
        var created = await owner.JsonAsync("iam", "api-key-create", "laptop");
        Assert.StartsWith("ApiKey-", created.GetProperty("id").GetString());
        Assert.False(string.IsNullOrEmpty(created.GetProperty("apikey").GetString()));
        Assert.Contains(created.GetProperty("id").GetString()!, (await owner.OkAsync("iam", "api-keys")).Stdout);
        await owner.OkAsync("iam", "api-key-delete", "laptop", "-f");
        Assert.DoesNotContain(created.GetProperty("id").GetString()!, (await owner.OkAsync("iam", "api-keys")).Stdout);
    }

    [Fact]
    public async Task UsersServiceIdsAndGroups_GetAccessPolicies_AndGroupsTheirMembers()
    {
        var owner = await Signed.NewAccountAsync(server);
        var user = await owner.JsonAsync("account", "user-invite", "dev@acme.test");
        var iamId = user.GetProperty("iam_id").GetString()!;
        Assert.Contains("dev@acme.test", (await owner.OkAsync("account", "users")).Stdout);

        var policy = await owner.JsonAsync("iam", "user-policy-create", "dev@acme.test", "--roles", "Administrator,Reader", "--service-name", "kms");
        Assert.Equal(["Administrator", "Reader"], policy.GetProperty("roles").EnumerateArray().Select(r => r.GetProperty("display_name").GetString()));
        Assert.Equal(iamId, policy.GetProperty("subjects")[0].GetProperty("attributes")[0].GetProperty("value").GetString());
        var policies = await owner.OkAsync("iam", "user-policies", "dev@acme.test");
        Assert.Contains("Administrator, Reader", policies.Stdout);
        Assert.Contains("kms, all instances", policies.Stdout);

        var wrongRole = await owner.Cli.RunAsync("iam", "user-policy-create", "dev@acme.test", "--roles", "Object Writer", "--service-name", "kms");
        Assert.Equal(1, wrongRole.ExitCode);
        Assert.StartsWith("FAILED: Role 'Object Writer' is not a role of kms. Valid roles: Viewer, ", wrongRole.Stderr);
        var noRoles = await owner.Cli.RunAsync("iam", "user-policy-create", "dev@acme.test");
        Assert.Equal(2, noRoles.ExitCode);

        await owner.OkAsync("iam", "service-id-create", "router");
        var servicePolicy = await owner.JsonAsync("iam", "service-policy-create", "router", "--roles", "Viewer");
        Assert.Contains("every resource in the account", (await owner.OkAsync("iam", "service-policies", "router")).Stdout);
        var notIts = await owner.Cli.RunAsync("iam", "user-policy-delete", "dev@acme.test", servicePolicy.GetProperty("id").GetString()!, "-f");
        Assert.Equal(1, notIts.ExitCode);
        Assert.Contains("is not a policy of user dev@acme.test", notIts.Stderr);
        await owner.OkAsync("iam", "service-policy-delete", "router", servicePolicy.GetProperty("id").GetString()!, "-f");
        Assert.DoesNotContain("Viewer", (await owner.OkAsync("iam", "service-policies", "router")).Stdout);

        await owner.OkAsync("iam", "access-group-create", "auditors");
        await owner.OkAsync("iam", "access-group-user-add", "auditors", "dev@acme.test");
        await owner.OkAsync("iam", "access-group-service-id-add", "auditors", "router");
        var members = await owner.JsonAsync("iam", "access-group-members", "auditors");
        Assert.Equal(2, members.GetArrayLength());
        var groupPolicy = await owner.JsonAsync("iam", "access-group-policy-create", "auditors", "--roles", "Viewer", "--service-name", "kms");
        Assert.Contains("Viewer", (await owner.OkAsync("iam", "access-group-policies", "auditors")).Stdout);
        await owner.OkAsync("iam", "access-group-policy-delete", "auditors", groupPolicy.GetProperty("id").GetString()!, "-f");
        Assert.DoesNotContain("Viewer", (await owner.OkAsync("iam", "access-group-policies", "auditors")).Stdout);
        await owner.OkAsync("iam", "access-group-user-remove", "auditors", "dev@acme.test");
        await owner.OkAsync("iam", "access-group-service-id-remove", "auditors", "router");
        Assert.Equal(0, (await owner.JsonAsync("iam", "access-group-members", "auditors")).GetArrayLength());

        var userPolicy = policy.GetProperty("id").GetString()!;
        await owner.OkAsync("iam", "user-policy-delete", "dev@acme.test", userPolicy, "-f");
        Assert.Equal("deleted", (await owner.GetAsync($"/v1/policies/{userPolicy}")).GetProperty("state").GetString());
        await owner.OkAsync("iam", "access-group-delete", "auditors", "-f");
        Assert.Empty((await owner.JsonAsync("iam", "access-groups")).EnumerateArray());
        await owner.OkAsync("account", "user-remove", "dev@acme.test", "-f");
        Assert.DoesNotContain("dev@acme.test", (await owner.OkAsync("account", "users")).Stdout);
    }

    [Fact]
    public async Task AccountCreate_IsTheOperators_AndPrintsTheOwnersKeyOnce()
    {
        var operatorCli = server.NewCli();
        Assert.Equal(0, (await operatorCli.RunAsync("login", "-a", server.Url.ToString(), "--apikey", CliServer.OperatorKey)).ExitCode);
        var created = await operatorCli.RunAsync("account-create", "globex", "--owner", "boss@globex.test", "--output", "json");
        Assert.True(created.ExitCode == 0, created.ToString());
        using var body = JsonDocument.Parse(created.Stdout);
        var ownerKey = body.RootElement.GetProperty("apikey").GetProperty("apikey").GetString()!;

        var owner = server.NewCli();
        var login = await owner.RunAsync("login", "-a", server.Url.ToString(), "--apikey", ownerKey);
        Assert.Contains(body.RootElement.GetProperty("account_id").GetString()!, login.Stdout);
        var notOperator = await owner.RunAsync("account-create", "initech", "--owner", "x@initech.test");
        Assert.Equal(1, notOperator.ExitCode);
        Assert.Contains("insufficent_permissions, 403", notOperator.Stderr);
    }
}
