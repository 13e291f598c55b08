using System.Net;

namespace Tessera.Server.Tests;

/// <summary>
/// The decision API is no oracle across accounts: only the resource's account and the identities the operator lets
/// check a service may ask, and only a caller who may read the account's policies learns which policy permits or why
/// nothing does.
/// </summary>
public class DecisionAudienceTests(TesseraApp app) : IClassFixture<TesseraApp>
{
    [Fact]
    public async Task AnotherAccountsOwner_IsRefused_AndLearnsNeitherPolicyNorReason()
    {
        var (victim, source, target, policyId) = await AuthorizedPairAsync("audience-victim");
        var stranger = await app.NewTenantAsync("audience-stranger");

        var (status, error, _) = await stranger.Client.SendAsync(HttpMethod.Post, "/access/v1/evaluation", Evaluation(source, target));
        var (batchStatus, batch, _) = await stranger.Client.SendAsync(HttpMethod.Post, "/access/v1/evaluations",
            new { evaluations = new[] { Evaluation(source, target), Evaluation(source, target, "kms.secrets.create") } });

        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.Contains("own account", Http.AssertIbmError(error, HttpStatusCode.Forbidden, "insufficent_permissions"), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, batchStatus);
        Assert.All(batch.GetProperty("evaluations").EnumerateArray(), item =>
        {
            Assert.False(item.GetProperty("decision").GetBoolean());
            Assert.Equal(403, item.GetProperty("context").GetProperty("error").GetProperty("status").GetInt32());
        });
        Assert.DoesNotContain(policyId, batch.ToString(), StringComparison.Ordinal);
        // The owner of the account still sees everything.
        var (_, full, _) = await victim.Client.SendAsync(HttpMethod.Post, "/access/v1/evaluation", Evaluation(source, target));
        Assert.Equal(policyId, full.GetProperty("context").GetProperty("policy_ids")[0].GetString());
    }

    [Fact]
    public async Task AnIdentityOfTheAccountWithoutPolicyRead_GetsTheBareDecision()
    {
        var (owner, source, target, policyId) = await AuthorizedPairAsync("audience-member");
        var member = await app.AddUserAsync(owner, "member@audience.test");

        var (permitStatus, permit, _) = await member.Client.SendAsync(HttpMethod.Post, "/access/v1/evaluation", Evaluation(source, target));
        var (_, deny, _) = await member.Client.SendAsync(HttpMethod.Post, "/access/v1/evaluation", Evaluation(source, target, "kms.secrets.create"));
        var (explainStatus, _, _) = await member.Client.SendAsync(HttpMethod.Post, "/access/v1/evaluation", Evaluation(source, target, explain: true));

        Assert.Equal(HttpStatusCode.OK, permitStatus);
        Assert.Equal("""{"decision":true}""", permit.GetRawText());
        Assert.Equal("""{"decision":false}""", deny.GetRawText());
        Assert.Equal(HttpStatusCode.Forbidden, explainStatus);
        // Granted policy reading on the target service, the same member sees the policy id.
        await owner.GrantAsync(member.IamId, [Policies.PlatformRole("Administrator")], "serviceName=kms");
        var (_, full, _) = await member.Client.SendAsync(HttpMethod.Post, "/access/v1/evaluation", Evaluation(source, target));
        Assert.Equal(policyId, full.GetProperty("context").GetProperty("policy_ids")[0].GetString());
    }

    [Fact]
    public async Task ATargetServicesCheckerInTheOperatorAccount_AsksAboutThatServiceInEveryAccount()
    {
        var (_, source, target, policyId) = await AuthorizedPairAsync("audience-checked");
        var operatorOwner = await app.OperatorAsync();
        var checker = await app.AddUserAsync(operatorOwner, "kms-platform@operator.test");
        var (before, _, _) = await checker.Client.SendAsync(HttpMethod.Post, "/access/v1/evaluation", Evaluation(source, target));

        await operatorOwner.GrantAsync(checker.IamId, [Policies.PlatformRole("DecisionChecker")], "serviceName=kms");
        var (status, answer, _) = await checker.Client.SendAsync(HttpMethod.Post, "/access/v1/evaluation", Evaluation(source, target));
        var otherService = Evaluation(source, target.Replace(":kms:", ":cloud-object-storage:", StringComparison.Ordinal), "cloud-object-storage.object.put");
        var (otherStatus, _, _) = await checker.Client.SendAsync(HttpMethod.Post, "/access/v1/evaluation", otherService);

        Assert.Equal(HttpStatusCode.Forbidden, before);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("""{"decision":true}""", answer.GetRawText());
        Assert.DoesNotContain(policyId, answer.GetRawText(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, otherStatus);
    }

    /// <summary>A new account where a cloud-object-storage instance may read a kms instance's secrets... of one kind.</summary>
    private async Task<(Tenant Owner, string SourceCrn, string TargetCrn, string PolicyId)> AuthorizedPairAsync(string name)
    {
        var owner = await app.NewTenantAsync(name);
        var source = await owner.CreateInstanceAsync("cloud-object-storage");
        var target = await owner.CreateInstanceAsync("kms");
        var (status, policy, _) = await owner.Client.SendAsync(HttpMethod.Post, "/v1/policies", Policies.Authorization(
            [$"accountId={owner.AccountId}", "serviceName=cloud-object-storage", $"serviceInstance={source.Guid}"], [Policies.Reader],
            [$"accountId={owner.AccountId}", "serviceName=kms", $"serviceInstance={target.Guid}"]));
        Assert.Equal(HttpStatusCode.Created, status);
        return (owner, source.Crn, target.Crn, policy.GetProperty("id").GetString()!);
    }

    private static object Evaluation(string source, string target, string action = "kms.secrets.readmetadata", bool explain = false) => new
    {
        subject = new { type = "service", id = source },
        action = new { name = action },
        resource = new { type = "instance", id = target },
        context = new { explain },
    };
}
