using System.Net;
using System.Reflection;
using Microsoft.Extensions.DependencyInjection;
using Tessera.Management;
using Tessera.Policies;
using Tessera.Storage;

namespace Tessera.Server.Tests;

/// <summary>
/// The rule book decides for every surface: the HTTP API and any other caller of the service (the console, the CLI's
/// server side) get the same outcome and the same refusal. And what a caller may not read looks exactly like what does
/// not exist, also inside validation and in what a list costs.
/// </summary>
public class RuleBookTests(TesseraApp app) : IClassFixture<TesseraApp>
{
    [Fact]
    public async Task ARefusal_IsTheSameThroughHttpAndThroughAnotherSurface()
    {
        var tenant = await app.NewTenantAsync("surfaces");
        var viewer = await app.AddUserAsync(tenant, "viewer@surfaces.test");
        await tenant.GrantAsync(viewer.IamId, [Policies.PlatformRole("Viewer")], "serviceName=cloud-object-storage");
        var body = Policies.AtrackerToCos(tenant.AccountId, Guid.NewGuid().ToString());

        var (status, http, _) = await viewer.Client.SendAsync(HttpMethod.Post, "/v1/policies", body);

        // A second surface (the console stands in here) calls the same service with the same caller.
        var rules = app.Services.GetRequiredService<RuleBook>();
        var call = new CallContext(new Caller(viewer.IamId, tenant.AccountId, "user"), "POST", "/console/authorizations", "console-test");
        var outcome = await rules.CreatePolicyAsync(call, ToDraft(body), CancellationToken.None);

        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.Equal(OutcomeKind.Refused, outcome.Kind);
        var message = Http.AssertIbmError(http, HttpStatusCode.Forbidden, outcome.Problem!.Code);
        Assert.Equal(outcome.Problem.Message, message);
        // The refusal says what is lacking: the action, the scope it was asked on, and the role that grants it.
        Assert.Contains("iam.policy.create", message, StringComparison.Ordinal);
        Assert.Contains($"cloud-object-storage instance", message, StringComparison.Ordinal);
        Assert.Contains("Administrator", message, StringComparison.Ordinal);
        Assert.Equal(["iam.policy.create"], outcome.Problem.Lacking);
    }

    [Fact]
    public async Task NamingAnotherAccountsInstance_AnswersLikeNamingNothing()
    {
        var victim = await app.NewTenantAsync("leak-victim");
        var prober = await app.NewTenantAsync("leak-prober");
        var victimKeys = await victim.CreateInstanceAsync("kms");

        async Task<(HttpStatusCode, string)> ProbeAsync(string instance, bool asSource)
        {
            var body = asSource
                ? Policies.Authorization([$"accountId={prober.AccountId}", "serviceName=cloud-object-storage", $"serviceInstance={instance}"], [Policies.Reader],
                    [$"accountId={prober.AccountId}", "serviceName=kms"])
                : Policies.Authorization([$"accountId={prober.AccountId}", "serviceName=cloud-object-storage"], [Policies.Reader],
                    [$"accountId={prober.AccountId}", "serviceName=kms", $"serviceInstance={instance}"]);
            var (status, answer, _) = await prober.Client.SendAsync(HttpMethod.Post, "/v1/policies", body);
            return (status, answer.ToString().Contains(victim.AccountId, StringComparison.Ordinal) ? "names the victim's account" : "says nothing of it");
        }

        foreach (var asSource in new[] { false, true })
        {
            var existing = await ProbeAsync(victimKeys.Guid, asSource);
            var unknown = await ProbeAsync(Guid.NewGuid().ToString(), asSource);
            Assert.Equal(unknown, existing);
            Assert.Equal((HttpStatusCode.Created, "says nothing of it"), existing);
        }
    }

    [Fact]
    public async Task ListingAnAccountWithoutRights_ReadsNothing_AndAScopedAdministratorReadsOnlyItsServices()
    {
        var tenant = await app.NewTenantAsync("list-cost");
        for (var i = 0; i < 30; i++)
            Assert.Equal(HttpStatusCode.Created, (await tenant.Client.SendAsync(HttpMethod.Post, "/v1/policies", Policies.AtrackerToCos(tenant.AccountId, $"cos-{i}"))).Status);
        var keys = await tenant.CreateInstanceAsync("kms");
        var kmsAuthorization = Policies.Authorization([$"accountId={tenant.AccountId}", "serviceName=cloud-object-storage"], [Policies.Reader],
            [$"accountId={tenant.AccountId}", "serviceName=kms", $"serviceInstance={keys.Guid}"]);
        Assert.Equal(HttpStatusCode.Created, (await tenant.Client.SendAsync(HttpMethod.Post, "/v1/policies", kmsAuthorization)).Status);
        var stranger = await app.NewTenantAsync("list-stranger");
        var kmsAdmin = await app.AddUserAsync(tenant, "kms-admin@list-cost.test");
        await tenant.GrantAsync(kmsAdmin.IamId, [Policies.Administrator, Policies.Reader], "serviceName=kms");

        var counted = CountingStore.Over(app.Store);
        var rules = ActivatorUtilities.CreateInstance<RuleBook>(app.Services, (ITesseraStore)(object)counted);
        var query = new PolicyQuery { AccountId = tenant.AccountId, Type = PolicyType.Authorization, Limit = 5 };

        var strangers = await rules.ListPoliciesAsync(Call(stranger.OwnerIamId, stranger.AccountId), query, CancellationToken.None);
        var strangerReads = counted.RowsRead;
        var admins = await rules.ListPoliciesAsync(Call(kmsAdmin.IamId, tenant.AccountId), query, CancellationToken.None);

        Assert.Empty(strangers.Value!.Policies);
        Assert.Equal(0, strangerReads);
        var listed = Assert.Single(admins.Value!.Policies);
        Assert.Equal(keys.Guid, listed.ResourceValue(AttributeNames.ServiceInstance));
        // Only the kms policies were read, not the 30 on object storage.
        Assert.Equal(1, counted.RowsRead - strangerReads);
    }

    private static CallContext Call(string iamId, string accountId) => new(new Caller(iamId, accountId, "user"), "GET", "/v1/policies", "list-test");

    private static PolicyDraft ToDraft(System.Text.Json.Nodes.JsonObject body)
    {
        using var document = System.Text.Json.JsonDocument.Parse(body.ToJsonString());
        // The HTTP surface's v1 reader, so that both surfaces start from the same draft.
        return Tessera.Server.Policies.V1PolicyMapper.ReadDraft(document.RootElement);
    }

    /// <summary>The real store, counting the policy rows that lists read from it.</summary>
    public class CountingStore : DispatchProxy
    {
        private ITesseraStore _inner = null!;

        public int RowsRead { get; private set; }

        public static CountingStore Over(ITesseraStore inner)
        {
            var proxy = Create<ITesseraStore, CountingStore>();
            var counting = (CountingStore)(object)proxy;
            counting._inner = inner;
            return counting;
        }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            if (targetMethod!.Name == nameof(ITesseraStore.ListPoliciesAsync))
                return new ValueTask<PolicyPage>(CountAsync((PolicyQuery)args![0]!, (CancellationToken)args[1]!));
            return targetMethod.Invoke(_inner, args);
        }

        private async Task<PolicyPage> CountAsync(PolicyQuery query, CancellationToken cancellationToken)
        {
            var page = await _inner.ListPoliciesAsync(query, cancellationToken);
            RowsRead += page.Policies.Count;
            return page;
        }
    }
}
