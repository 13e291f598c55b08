using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Tessera.Server.Tests;

/// <summary>
/// Terraform's <c>ibm_iam_authorization_policy</c> and <c>ibm_iam_authorization_policies</c>, replayed call by call as
/// the provider makes them (terraform-provider-ibm, resource_ibm_iam_authorization_policy.go and
/// data_source_ibm_iam_authorization_policies.go; reference §6): apply, refresh, an in-place update of the roles, the
/// data source, and destroy. Each step reads the answer the way the provider's Go code does, so a field it dereferences
/// unchecked, a role it cannot map back, or a header it copies into its state would fail here first.
/// </summary>
public class TerraformReplayTests(TesseraApp app) : IClassFixture<TesseraApp>
{
    private const string Source = "databases-for-postgresql";
    private const string Target = "kms";
    private const string TransactionId = "terraform-tx-4b1e";

    [Fact]
    public async Task ApplyRefreshUpdateListAndDestroy_AsTheProviderDoesThem()
    {
        var tenant = await app.NewTenantAsync("terraform");
        // The provider signs in twice: bluemix-go with Basic bx:bx (for the user's account details), the Go SDK without.
        using var terraform = await SignInAsync(tenant.ApiKey, basic: true);
        using var sdk = await SignInAsync(tenant.ApiKey, basic: false);
        // userDetails.UserAccount: the account.bss claim of the token.
        var account = new JsonWebToken(terraform.DefaultRequestHeaders.Authorization!.Parameter).GetPayloadValue<JsonElement>("account").GetProperty("bss").GetString()!;
        Assert.Equal(tenant.AccountId, account);
        var (sourceInstance, targetInstance) = (Guid.NewGuid().ToString(), Guid.NewGuid().ToString());

        // terraform apply — create: roles by display name through /v2/roles (no account_id), then POST /v2/policies.
        var roles = await RoleIdsAsync(sdk, "Reader");
        var (created, createdBody, createdResponse) = await sdk.SendAsync(HttpMethod.Post, "/v2/policies",
            V2Body(account, sourceInstance, targetInstance, roles), ("Transaction-Id", TransactionId));
        Assert.Equal(HttpStatusCode.Created, created);
        Assert.Equal(TransactionId, createdResponse.Headers.GetValues("Transaction-Id").Single());
        var id = createdBody.GetProperty("id").GetString()!;
        var state = await ReadAsync(sdk, id, account);
        Assert.Equal(new TerraformState(Source, Target, sourceInstance, targetInstance, account, ["Reader"], TransactionId), state);

        // terraform plan — refresh: Exists through v1, then Read again; nothing drifts.
        Assert.True(await ExistsAsync(sdk, id));
        Assert.Equal(state, await ReadAsync(sdk, id, account));

        // roles = ["Reader", "Authorization Delegator"] — update in place: roles, GET /v2/policies for its ETag, PUT with If-Match.
        var newRoles = await RoleIdsAsync(sdk, "Reader", "Authorization Delegator");
        var (_, _, current) = await sdk.SendAsync(HttpMethod.Get, $"/v2/policies/{id}", null, ("Transaction-Id", TransactionId));
        var (replaced, _, replacedResponse) = await sdk.SendAsync(HttpMethod.Put, $"/v2/policies/{id}",
            V2Body(account, sourceInstance, targetInstance, newRoles), ("If-Match", current.ETag()),
            ("Transaction-Id", TransactionId));
        Assert.Equal(HttpStatusCode.OK, replaced);
        Assert.NotEqual(current.ETag(), replacedResponse.ETag());
        Assert.Equal(state with { Roles = ["Reader", "Authorization Delegator"] }, await ReadAsync(sdk, id, account));

        // data "ibm_iam_authorization_policies": one GET /v1/policies without a limit, which must hold every authorization.
        for (var i = 0; i < 54; i++)
        {
            var (status, _, _) = await sdk.SendAsync(HttpMethod.Post, "/v2/policies", V2Body(account, Guid.NewGuid().ToString(), Guid.NewGuid().ToString(), roles));
            Assert.Equal(HttpStatusCode.Created, status);
        }
        var (listed, list, _) = await sdk.SendAsync(HttpMethod.Get, $"/v1/policies?account_id={account}&type=authorization");
        Assert.Equal(HttpStatusCode.OK, listed);
        var items = list.GetProperty("policies").EnumerateArray().ToList();
        Assert.Equal(55, items.Count);
        foreach (var item in items)
        {
            // The data source dereferences role.DisplayName, takes subjects[0] and resources[0], and reads every value as a string.
            Assert.All(item.GetProperty("roles").EnumerateArray(), r => Assert.False(string.IsNullOrEmpty(r.GetProperty("display_name").GetString())));
            foreach (var side in new[] { item.GetProperty("subjects")[0], item.GetProperty("resources")[0] })
                Assert.All(side.GetProperty("attributes").EnumerateArray(), a => Assert.Equal(JsonValueKind.String, a.GetProperty("value").ValueKind));
        }
        var mine = items.Single(p => p.GetProperty("id").GetString() == id);
        Assert.Equal(["Reader", "Authorization Delegator"], mine.GetProperty("roles").EnumerateArray().Select(r => r.GetProperty("display_name").GetString()));

        // terraform destroy: DELETE through v1; the next refresh sees it gone (state "deleted").
        var (deleted, _, _) = await sdk.SendAsync(HttpMethod.Delete, $"/v1/policies/{id}", null, ("Transaction-Id", TransactionId));
        Assert.Equal(HttpStatusCode.NoContent, deleted);
        Assert.False(await ExistsAsync(sdk, id));
    }

    [Fact]
    public async Task ARoleNameTheProviderCannotFind_FailsWithTheReasonNotWithValidRolesAreNone()
    {
        var tenant = await app.NewTenantAsync("terraform-typo");
        using var sdk = await SignInAsync(tenant.ApiKey, basic: false);

        // "event-notification" (the typo of IBM issue 6241's family): the provider prints the SDK error's message.
        var (status, body, _) = await sdk.SendAsync(HttpMethod.Get, "/v2/roles?service_name=event-notification&source_service_name=is&policy_type=authorization");

        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Contains("did you mean 'event-notifications'?", body.GetProperty("errors")[0].GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    /// <summary>What the provider writes into its state after a Read, from the v2 answer and the /v2/roles mapping.</summary>
    private sealed record TerraformState(string? SourceService, string? TargetService, string? SourceInstance, string? TargetInstance,
        string? SourceAccount, IReadOnlyList<string> Roles, string? TransactionId)
    {
        public bool Equals(TerraformState? other) => other is not null
            && (SourceService, TargetService, SourceInstance, TargetInstance, SourceAccount, TransactionId)
               == (other.SourceService, other.TargetService, other.SourceInstance, other.TargetInstance, other.SourceAccount, other.TransactionId)
            && Roles.SequenceEqual(other.Roles);

        public override int GetHashCode() => HashCode.Combine(SourceService, TargetService, SourceInstance);
    }

    /// <summary>resourceIBMIAMAuthorizationPolicyRead: GET /v2/policies twice (the call, then its 404 retry loop), then the role names.</summary>
    private static async Task<TerraformState> ReadAsync(HttpClient sdk, string id, string account)
    {
        JsonElement policy = default;
        HttpResponseMessage response = null!;
        for (var call = 0; call < 2; call++)
        {
            HttpStatusCode status;
            (status, policy, response) = await sdk.SendAsync(HttpMethod.Get, $"/v2/policies/{id}", null, ("Transaction-Id", TransactionId));
            Assert.Equal(HttpStatusCode.OK, status);
        }
        // flex.GetV2PolicySubjectAttribute / GetV2PolicyResourceAttribute dereference *a.Operator: every attribute has one.
        string? Value(string side, string key)
        {
            var attributes = policy.GetProperty(side).GetProperty("attributes").EnumerateArray().ToList();
            Assert.All(attributes, a => Assert.False(string.IsNullOrEmpty(a.GetProperty("operator").GetString())));
            return attributes.FirstOrDefault(a => a.GetProperty("key").GetString() == key) is { ValueKind: JsonValueKind.Object } found
                ? found.GetProperty("value").GetString()
                : null;
        }
        var (source, target) = (Value("subject", "serviceName"), Value("resource", "serviceName"));
        // flex.GetRoleNamesFromPolicyResponse: /v2/roles for the same pair, with the account; a role id it cannot find is an error.
        var (_, roles, _) = await sdk.SendAsync(HttpMethod.Get,
            $"/v2/roles?account_id={account}&service_name={target}&source_service_name={source}&policy_type=authorization");
        var names = roles.GetProperty("service_roles").EnumerateArray().Concat(roles.GetProperty("system_roles").EnumerateArray())
            .ToDictionary(r => r.GetProperty("crn").GetString()!, r => r.GetProperty("display_name").GetString()!);
        var granted = policy.GetProperty("control").GetProperty("grant").GetProperty("roles").EnumerateArray()
            .Select(r => names[r.GetProperty("role_id").GetString()!]).ToList();
        return new TerraformState(source, target, Value("subject", "serviceInstance"), Value("resource", "serviceInstance"), Value("subject", "accountId"),
            granted, response.Headers.TryGetValues("Transaction-Id", out var tx) ? tx.Single() : null);
    }

    /// <summary>resourceIBMIAMAuthorizationPolicyExists: GET /v1/policies; a 404 or state "deleted" is gone.</summary>
    private static async Task<bool> ExistsAsync(HttpClient sdk, string id)
    {
        var (status, policy, _) = await sdk.SendAsync(HttpMethod.Get, $"/v1/policies/{id}");
        if (status == HttpStatusCode.NotFound)
            return false;
        Assert.Equal(HttpStatusCode.OK, status);
        return policy.GetProperty("state").GetString() != "deleted" && policy.GetProperty("id").GetString() == id;
    }

    /// <summary>flex.GetRolesFromRoleNames over /v2/roles (case-sensitive display names).</summary>
    private static async Task<string[]> RoleIdsAsync(HttpClient sdk, params string[] displayNames)
    {
        var (status, roles, _) = await sdk.SendAsync(HttpMethod.Get, $"/v2/roles?service_name={Target}&source_service_name={Source}&policy_type=authorization");
        Assert.Equal(HttpStatusCode.OK, status);
        var all = roles.GetProperty("custom_roles").EnumerateArray().Concat(roles.GetProperty("service_roles").EnumerateArray())
            .Concat(roles.GetProperty("system_roles").EnumerateArray()).ToList();
        return displayNames.Select(name => all.Single(r => r.GetProperty("display_name").GetString() == name).GetProperty("crn").GetString()!).ToArray();
    }

    /// <summary>The provider's v2 create and update body: attributes in its order, each with "stringEquals".</summary>
    private static JsonObject V2Body(string account, string sourceInstance, string targetInstance, string[] roles) =>
        Policies.V2Authorization(
            [$"serviceName={Source}", $"accountId={account}", $"serviceInstance={sourceInstance}"], roles,
            [$"serviceName={Target}", $"accountId={account}", $"serviceInstance={targetInstance}"]);

    private async Task<HttpClient> SignInAsync(string apiKey, bool basic)
    {
        var client = app.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/identity/token", UriKind.Relative))
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "urn:ibm:params:oauth:grant-type:apikey",
                ["apikey"] = apiKey,
                ["response_type"] = "cloud_iam",
            }),
        };
        if (basic)
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.ASCII.GetBytes("bx:bx")));
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var token = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("Bearer", token.GetProperty("token_type").GetString());
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token.GetProperty("access_token").GetString());
        return client;
    }
}
