using System.Buffers.Text;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Tessera.Client.Models;

namespace Tessera.Client;

// Service IDs, API keys, accounts and users, access groups, and who this client is.
public sealed partial class TesseraClient
{
    public Task<ServiceId> CreateServiceIdAsync(string accountId, string name, string? description = null, CancellationToken cancellationToken = default) =>
        PostAsync("v1/serviceids", new NewServiceId(accountId, name, description), RequestJsonContext.Default.NewServiceId,
            ClientJsonContext.Default.ServiceId, cancellationToken);

    /// <summary>A service ID by its id (<c>ServiceId-…</c>) or its iam_id (<c>iam-ServiceId-…</c>).</summary>
    public Task<ServiceId> GetServiceIdAsync(string id, CancellationToken cancellationToken = default) =>
        GetAsync("v1/serviceids/" + Segment(id), ClientJsonContext.Default.ServiceId, cancellationToken);

    /// <summary>Every service ID of the account (all pages), or those named <paramref name="name"/>.</summary>
    public async IAsyncEnumerable<ServiceId> ListServiceIdsAsync(string accountId, string? name = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        string? next = null;
        do
        {
            var page = await GetAsync(Query("v1/serviceids", ("account_id", accountId), ("name", name), ("pagesize", "100"), ("pagetoken", next)),
                ClientJsonContext.Default.ServiceIdPage, cancellationToken);
            foreach (var serviceId in page.Serviceids)
                yield return serviceId;
            next = page.Next;
        }
        while (next is not null);
    }

    /// <summary>Deletes a service ID with its API keys and policies.</summary>
    public Task DeleteServiceIdAsync(string id, CancellationToken cancellationToken = default) =>
        SendWithoutAnswerAsync(HttpMethod.Delete, "v1/serviceids/" + Segment(id), null, cancellationToken);

    /// <summary>A new API key for <paramref name="iamId"/> (a user or a service ID); its secret is in the answer, and only there.</summary>
    public Task<ApiKey> CreateApiKeyAsync(string name, string iamId, string? description = null, string? accountId = null,
        CancellationToken cancellationToken = default) =>
        PostAsync("v1/apikeys", new NewApiKey(name, iamId, description, accountId), RequestJsonContext.Default.NewApiKey,
            ClientJsonContext.Default.ApiKey, cancellationToken);

    public Task<ApiKey> GetApiKeyAsync(string id, CancellationToken cancellationToken = default) =>
        GetAsync("v1/apikeys/" + Segment(id), ClientJsonContext.Default.ApiKey, cancellationToken);

    /// <summary>The API keys of the account, or of one identity in it.</summary>
    public async Task<IReadOnlyList<ApiKey>> ListApiKeysAsync(string accountId, string? iamId = null, CancellationToken cancellationToken = default) =>
        (await GetAsync(Query("v1/apikeys", ("account_id", accountId), ("iam_id", iamId)), ClientJsonContext.Default.ApiKeyPage, cancellationToken)).Apikeys;

    /// <summary>Deletes an API key; the tokens it was exchanged for stop working at once.</summary>
    public Task DeleteApiKeyAsync(string id, CancellationToken cancellationToken = default) =>
        SendWithoutAnswerAsync(HttpMethod.Delete, "v1/apikeys/" + Segment(id), null, cancellationToken);

    /// <summary>A new account and its owner (the operator only); the owner's API key is in the answer, and only there.</summary>
    public Task<CreatedAccount> CreateAccountAsync(string name, string ownerEmail, CancellationToken cancellationToken = default) =>
        PostAsync("v2/accounts", new NewAccount(name, ownerEmail), RequestJsonContext.Default.NewAccount, ClientJsonContext.Default.CreatedAccount,
            cancellationToken);

    public Task<Account> GetAccountAsync(string accountId, CancellationToken cancellationToken = default) =>
        GetAsync("v2/accounts/" + Segment(accountId), ClientJsonContext.Default.Account, cancellationToken);

    public Task<User> AddUserAsync(string accountId, string email, CancellationToken cancellationToken = default) =>
        PostAsync($"v2/accounts/{Segment(accountId)}/users", new NewUser(email), RequestJsonContext.Default.NewUser, ClientJsonContext.Default.User,
            cancellationToken);

    public async Task<IReadOnlyList<User>> ListUsersAsync(string accountId, CancellationToken cancellationToken = default) =>
        (await GetAsync($"v2/accounts/{Segment(accountId)}/users", ClientJsonContext.Default.UserPage, cancellationToken)).Resources;

    /// <summary>Removes a user with their API keys, memberships and policies.</summary>
    public Task RemoveUserAsync(string accountId, string iamId, CancellationToken cancellationToken = default) =>
        SendWithoutAnswerAsync(HttpMethod.Delete, $"v2/accounts/{Segment(accountId)}/users/{Segment(iamId)}", null, cancellationToken);

    public Task<AccessGroup> CreateAccessGroupAsync(string accountId, string name, string? description = null, CancellationToken cancellationToken = default) =>
        PostAsync(Query("v2/groups", ("account_id", accountId)), new NewAccessGroup(name, description), RequestJsonContext.Default.NewAccessGroup,
            ClientJsonContext.Default.AccessGroup, cancellationToken);

    public Task<AccessGroup> GetAccessGroupAsync(string groupId, CancellationToken cancellationToken = default) =>
        GetAsync("v2/groups/" + Segment(groupId), ClientJsonContext.Default.AccessGroup, cancellationToken);

    public async Task<IReadOnlyList<AccessGroup>> ListAccessGroupsAsync(string accountId, CancellationToken cancellationToken = default) =>
        (await GetAsync(Query("v2/groups", ("account_id", accountId)), ClientJsonContext.Default.AccessGroupPage, cancellationToken)).Groups;

    /// <summary>Deletes an access group (its policies and memberships with it).</summary>
    public Task DeleteAccessGroupAsync(string groupId, CancellationToken cancellationToken = default) =>
        SendWithoutAnswerAsync(HttpMethod.Delete, "v2/groups/" + Segment(groupId), null, cancellationToken);

    /// <summary>Adds users or service IDs (by iam_id) to a group; the answer has each one's status.</summary>
    public async Task<IReadOnlyList<GroupMember>> AddMembersAsync(string groupId, IEnumerable<GroupMember> members, CancellationToken cancellationToken = default) =>
        (await SendAsync(HttpMethod.Put, $"v2/groups/{Segment(groupId)}/members",
            () => System.Net.Http.Json.JsonContent.Create(new GroupMembers { Members = [.. members] }, ClientJsonContext.Default.GroupMembers),
            ClientJsonContext.Default.GroupMembers, cancellationToken)).Members;

    public async Task<IReadOnlyList<GroupMember>> ListMembersAsync(string groupId, CancellationToken cancellationToken = default) =>
        (await GetAsync($"v2/groups/{Segment(groupId)}/members", ClientJsonContext.Default.GroupMembers, cancellationToken)).Members;

    public Task RemoveMemberAsync(string groupId, string iamId, CancellationToken cancellationToken = default) =>
        SendWithoutAnswerAsync(HttpMethod.Delete, $"v2/groups/{Segment(groupId)}/members/{Segment(iamId)}", null, cancellationToken);

    /// <summary>Who this client's token speaks for, read from the token's claims (the server is the one that verifies them).</summary>
    public async Task<Identity> GetIdentityAsync(CancellationToken cancellationToken = default) =>
        ReadIdentity(await _tokens.GetTokenAsync(false, cancellationToken));

    /// <summary>The identity in a Tessera (IBM-shaped) access token's claims.</summary>
    public static Identity ReadIdentity(string accessToken)
    {
        ArgumentNullException.ThrowIfNull(accessToken);
        var parts = accessToken.Split('.');
        if (parts.Length != 3)
            throw new FormatException("The access token is not a JWT.");
        using var claims = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[1]));
        var root = claims.RootElement;
        string? Claim(string name) => root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
        var account = root.TryGetProperty("account", out var accountClaim) && accountClaim.TryGetProperty("bss", out var bss) ? bss.GetString() : null;
        return new Identity(Claim("iam_id") ?? throw new FormatException("The access token has no iam_id."),
            account ?? throw new FormatException("The access token has no account."),
            Claim("sub_type") ?? "unknown", Claim("sub"), Claim("apikey_id"));
    }
}
