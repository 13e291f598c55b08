using System.Net.Http.Json;
using System.Text.Json;

namespace Tessera.Cli.Tests;

/// <summary>A fresh account with its owner signed in on the CLI, and the same owner on the API to check what the CLI did.</summary>
public sealed record Signed(Cli Cli, string AccountId, string OwnerKey, HttpClient Api)
{
    public static async Task<Signed> NewAccountAsync(CliServer server)
    {
        var (accountId, key) = await server.NewAccountAsync();
        var cli = server.NewCli();
        var login = await cli.RunAsync("login", "-a", server.Url.ToString(), "--apikey", key);
        Assert.True(login.ExitCode == 0, login.ToString());
        return new Signed(cli, accountId, key, await server.ApiAsync(key));
    }

    /// <summary>Runs a command that must succeed; its result.</summary>
    public async Task<CliResult> OkAsync(params string[] arguments)
    {
        var result = await Cli.RunAsync(arguments);
        Assert.True(result.ExitCode == 0, $"tessera {string.Join(' ', arguments)}: {result}");
        return result;
    }

    /// <summary>Runs a command with <c>--output json</c>; the JSON it printed.</summary>
    public async Task<JsonElement> JsonAsync(params string[] arguments)
    {
        var result = await OkAsync([.. arguments, "--output", "json"]);
        using var document = JsonDocument.Parse(result.Stdout);
        return document.RootElement.Clone();
    }

    public async Task<JsonElement> GetAsync(string path)
    {
        using var response = await Api.GetAsync(new Uri(path, UriKind.Relative));
        Assert.True(response.IsSuccessStatusCode, $"GET {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>The account's default resource group, and a kms instance named "keys" in it.</summary>
    public async Task<(string GroupId, string KeysGuid)> KeysInstanceAsync()
    {
        var groups = await GetAsync($"/v2/resource_groups?account_id={AccountId}&default=true");
        var groupId = groups.GetProperty("resources")[0].GetProperty("id").GetString()!;
        using var response = await Api.PostAsJsonAsync("/v2/resource_instances",
            new { name = "keys", target = "us-south", resource_group = groupId, resource_plan_id = "eedd3585-90c6-4c8d-be4a-5a0b1b9d4b08" });
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.IsSuccessStatusCode, body.ToString());
        return (groupId, body.GetProperty("guid").GetString()!);
    }

    /// <summary>JSON values equal as JSON: the same properties (in any order) with equal values.</summary>
    public static bool SameJson(JsonElement a, JsonElement b) => JsonElement.DeepEquals(a, b);
}
