using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Tessera.Browser.Tests;

/// <summary>An account of the browser tests: its id, its owner's key, and the owner's API client for setting up and checking.</summary>
public sealed record Tenant(string AccountId, string OwnerKey, string OwnerEmail, HttpClient Api)
{
    public string OwnerIamId => Client.TesseraClient.ReadIdentity(Api.DefaultRequestHeaders.Authorization!.Parameter!).IamId;

    public async Task<JsonElement> PostAsync(string path, object body)
    {
        using var response = await Api.PostAsJsonAsync(path, body);
        var json = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.IsSuccessStatusCode, $"POST {path}: {(int)response.StatusCode} {json}");
        return json;
    }

    public async Task<JsonElement> GetAsync(string path)
    {
        using var response = await Api.GetAsync(path);
        Assert.True(response.IsSuccessStatusCode, $"GET {path}: {(int)response.StatusCode}");
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    public async Task<HttpStatusCode> StatusAsync(string path)
    {
        using var response = await Api.GetAsync(path);
        return response.StatusCode;
    }

    /// <summary>A new instance of <paramref name="service"/> (its first plan) in the default group, or in <paramref name="groupId"/>.</summary>
    public async Task<(string Guid, string Crn, string Name)> CreateInstanceAsync(string service, string name, string? groupId = null)
    {
        var catalog = await GetAsync("/v1/catalog/services");
        var plan = catalog.GetProperty("services").EnumerateArray().First(s => s.GetProperty("name").GetString() == service)
            .GetProperty("plans")[0].GetProperty("id").GetString()!;
        groupId ??= (await GetAsync($"/v2/resource_groups?account_id={AccountId}")).GetProperty("resources").EnumerateArray()
            .First(g => g.GetProperty("default").GetBoolean()).GetProperty("id").GetString()!;
        var created = await PostAsync("/v2/resource_instances", new { name, target = "us-south", resource_group = groupId, resource_plan_id = plan });
        return (created.GetProperty("guid").GetString()!, created.GetProperty("crn").GetString()!, name);
    }

    public async Task<string> CreateGroupAsync(string name) =>
        (await PostAsync("/v2/resource_groups", new { name, account_id = AccountId })).GetProperty("id").GetString()!;

    /// <summary>An authorization through the API (v2), from <paramref name="source"/> to <paramref name="target"/> with one role.</summary>
    public async Task<string> AuthorizeAsync(string source, string target, string role, string? targetInstance = null, string? sourceAccount = null)
    {
        var resource = new List<object>
        {
            new { key = "accountId", @operator = "stringEquals", value = AccountId },
            new { key = "serviceName", @operator = "stringEquals", value = target },
        };
        if (targetInstance is not null)
            resource.Add(new { key = "serviceInstance", @operator = "stringEquals", value = targetInstance });
        var created = await PostAsync("/v2/policies", new
        {
            type = "authorization",
            subject = new { attributes = new object[]
            {
                new { key = "accountId", @operator = "stringEquals", value = sourceAccount ?? AccountId },
                new { key = "serviceName", @operator = "stringEquals", value = source },
            } },
            resource = new { attributes = resource },
            control = new { grant = new { roles = new[] { new { role_id = role } } } },
        });
        return created.GetProperty("id").GetString()!;
    }

    /// <summary>The account's active authorizations, as the API lists them (v2).</summary>
    public async Task<List<JsonElement>> AuthorizationsAsync() =>
        (await GetAsync($"/v2/policies?account_id={AccountId}&type=authorization")).GetProperty("policies").EnumerateArray().ToList();

    /// <summary>A v2 policy's attributes on one side, as key → value.</summary>
    public static Dictionary<string, string> Attributes(JsonElement policy, string side) =>
        policy.GetProperty(side).GetProperty("attributes").EnumerateArray()
            .ToDictionary(a => a.GetProperty("key").GetString()!, a => a.GetProperty("value").ToString());
}
