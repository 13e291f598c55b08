using System.Net;
using System.Text.Json;
using Tessera.Catalog;

namespace Tessera.Server.Tests;

/// <summary>Builds accounts' contents through the HTTP API, as a client would: users with keys, instances, groups, grants.</summary>
internal static class AccessSetup
{
    public static readonly ServiceCatalog Catalog = ServiceCatalog.LoadBuiltIn();

    public static string PlanOf(string service) => Catalog.FindService(service)!.Plans[0].Id;

    /// <summary>A user added to the tenant's account, with an API key and a client signed in as the user.</summary>
    public static async Task<Member> AddUserAsync(this TesseraApp app, Tenant tenant, string email)
    {
        var (status, user, _) = await tenant.Client.SendAsync(HttpMethod.Post, $"/v2/accounts/{tenant.AccountId}/users", new { email });
        Assert.Equal(HttpStatusCode.Created, status);
        var iamId = user.GetProperty("iam_id").GetString()!;
        var apiKey = await tenant.CreateApiKeyAsync(iamId);
        return new Member(iamId, apiKey, await app.ClientForKeyAsync(apiKey));
    }

    /// <summary>A new API key for an identity, created by the tenant's owner; returns the secret.</summary>
    public static async Task<string> CreateApiKeyAsync(this Tenant tenant, string iamId)
    {
        var (status, key, _) = await tenant.Client.SendAsync(HttpMethod.Post, "/v1/apikeys", new { name = "key for " + iamId[..Math.Min(20, iamId.Length)], iam_id = iamId });
        Assert.Equal(HttpStatusCode.Created, status);
        return key.GetProperty("apikey").GetString()!;
    }

    /// <summary>Grants an access policy through the owner and returns its id.</summary>
    public static async Task<string> GrantAsync(this Tenant tenant, string iamId, string[] roles, params string[] resource)
    {
        var (status, policy, _) = await tenant.Client.SendAsync(HttpMethod.Post, "/v1/policies",
            Policies.Access("iam_id", iamId, roles, [$"accountId={tenant.AccountId}", .. resource]));
        Assert.True(status == HttpStatusCode.Created, policy.ToString());
        return policy.GetProperty("id").GetString()!;
    }

    public static async Task<string> CreateResourceGroupAsync(this Tenant tenant, string name)
    {
        var (status, group, _) = await tenant.Client.SendAsync(HttpMethod.Post, "/v2/resource_groups", new { name, account_id = tenant.AccountId });
        Assert.Equal(HttpStatusCode.Created, status);
        return group.GetProperty("id").GetString()!;
    }

    public static async Task<string> DefaultGroupAsync(this Tenant tenant)
    {
        var (_, groups, _) = await tenant.Client.SendAsync(HttpMethod.Get, $"/v2/resource_groups?account_id={tenant.AccountId}&default=true");
        return groups.GetProperty("resources")[0].GetProperty("id").GetString()!;
    }

    /// <summary>A new instance of <paramref name="service"/>, created by <paramref name="client"/> (the owner by default).</summary>
    public static async Task<Instance> CreateInstanceAsync(this Tenant tenant, string service, string? groupId = null, HttpClient? client = null)
    {
        var (status, instance, _) = await (client ?? tenant.Client).SendAsync(HttpMethod.Post, "/v2/resource_instances", new
        {
            name = $"{service}-{Guid.NewGuid():N}"[..30],
            target = "us-south",
            resource_group = groupId ?? await tenant.DefaultGroupAsync(),
            resource_plan_id = PlanOf(service),
        });
        Assert.True(status == HttpStatusCode.Created, instance.ToString());
        return new Instance(instance.GetProperty("guid").GetString()!, instance.GetProperty("crn").GetString()!, instance.GetProperty("resource_group_id").GetString()!);
    }

    /// <summary>A decision through the AuthZEN API: may the source instance do the action on the target instance?</summary>
    public static async Task<bool> DecideAsync(this HttpClient client, object subject, string action, string targetCrn)
    {
        var (status, body, _) = await client.SendAsync(HttpMethod.Post, "/access/v1/evaluation", new
        {
            subject,
            action = new { name = action },
            resource = new { type = "instance", id = targetCrn },
        });
        Assert.Equal(HttpStatusCode.OK, status);
        return body.GetProperty("decision").GetBoolean();
    }

    public static async Task<List<JsonElement>> EventsAsync(this HttpClient client, string accountId, string? query = null)
    {
        var (status, page, _) = await client.SendAsync(HttpMethod.Get, $"/v1/events?account_id={accountId}&limit=1000{query}");
        Assert.Equal(HttpStatusCode.OK, status);
        return [.. page.GetProperty("events").EnumerateArray()];
    }
}

internal sealed record Member(string IamId, string ApiKey, HttpClient Client);

internal sealed record Instance(string Guid, string Crn, string ResourceGroupId);
