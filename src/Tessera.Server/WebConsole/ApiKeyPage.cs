using Microsoft.AspNetCore.Mvc;
using Tessera.Management;
using Tessera.Model;
using Tessera.Server.Identity;

namespace Tessera.Server.WebConsole;

/// <summary>
/// A page that manages one identity's API keys — the signed-in user's own, or a service ID's: the list, a new key shown
/// once (never again, and never in a URL or a redirect), and a delete after a confirmation.
/// </summary>
public abstract class ApiKeyPage(RuleBook rules) : ConsolePage
{
    protected RuleBook Rules { get; } = rules;

    [BindProperty(Name = "key_name")]
    public string? KeyName { get; set; }

    [BindProperty(Name = "key_description")]
    public string? KeyDescription { get; set; }

    /// <summary>The key whose deletion the page asks to confirm.</summary>
    [BindProperty(SupportsGet = true, Name = "delete_key")]
    public string? DeleteKey { get; set; }

    public IReadOnlyList<ApiKey> Keys { get; private set; } = [];

    /// <summary>The key just created, with its secret: on this one response only.</summary>
    public NewApiKey? Created { get; private set; }

    public ApiKey? KeyToDelete => DeleteKey is null ? null : Keys.FirstOrDefault(k => k.Id == DeleteKey);

    /// <summary>Whether <paramref name="key"/> is the one this session was signed in with: deleting it ends the session.</summary>
    public bool IsSessionKey(ApiKey key) => User.FindFirst(TokenService.ApiKeyIdClaim)?.Value == key.Id;

    /// <summary>Loads what the page shows; the iam_id whose keys it manages, or null when that identity is not one the caller may see.</summary>
    protected abstract Task<string?> LoadOwnerAsync(CancellationToken cancellationToken);

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken) =>
        await LoadAsync(cancellationToken) is null ? Missing() : Page();

    public async Task<IActionResult> OnPostCreateKeyAsync(CancellationToken cancellationToken)
    {
        if (await LoadAsync(cancellationToken) is not { } owner)
            return Missing();
        if (Required("key_name", KeyName, 256, "name of the key") is { } name)
        {
            var created = await Rules.CreateApiKeyAsync(Call, owner, name, KeyDescription is { Length: > 0 } d ? d.Trim() : null, false, cancellationToken);
            if (created.Succeeded)
            {
                Created = created.Value;
                Keys = [.. Keys, created.Value!.Key];
                KeyName = null;
                KeyDescription = null;
            }
            else
            {
                Show(created.Problem!, field => field is "name" ? "key_name" : null);
            }
        }
        return Page();
    }

    public async Task<IActionResult> OnPostDeleteKeyAsync([FromForm(Name = "key")] string? keyId, CancellationToken cancellationToken)
    {
        if (await LoadAsync(cancellationToken) is null || Keys.FirstOrDefault(k => k.Id == keyId) is not { } key)
            return Missing();
        var deleted = await Rules.DeleteApiKeyAsync(Call, key.Id, cancellationToken);
        if (deleted.Succeeded)
            return IsSessionKey(key) ? RedirectToPage("/SignIn") : Done($"API key {key.Name} deleted.", PageContext.ActionDescriptor.ViewEnginePath);
        Show(deleted.Problem!);
        return Page();
    }

    private async Task<string?> LoadAsync(CancellationToken cancellationToken)
    {
        if (await LoadOwnerAsync(cancellationToken) is not { } owner)
            return null;
        Keys = (await Rules.ListApiKeysAsync(Call, Caller.AccountId, owner, cancellationToken)).OrderBy(k => k.CreatedAt).ToList();
        return owner;
    }
}
