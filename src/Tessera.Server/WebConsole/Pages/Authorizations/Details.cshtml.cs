using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using Tessera.Catalog;
using Tessera.Management;
using Tessera.Policies;
using Tessera.Server.Http;
using Tessera.Server.Policies;

namespace Tessera.Server.WebConsole.Pages.Authorizations;

/// <summary>One authorization, in words and as the API's JSON; not found alike when it does not exist and when the caller may not view it.</summary>
public sealed class DetailsModel(RuleBook rules, ServiceCatalog catalog) : ConsolePage
{
    private static readonly JsonSerializerOptions Indented = new(ServerJsonContext.Relaxed.Options) { WriteIndented = true };

    public Policy? Policy { get; private set; }

    public AuthorizationText? Text { get; private set; }

    public string LastModifiedBy { get; private set; } = string.Empty;

    public string Json { get; private set; } = string.Empty;

    public async Task<IActionResult> OnGetAsync(string id, CancellationToken cancellationToken)
    {
        var found = await rules.GetPolicyAsync(Call, id, cancellationToken);
        if (found.Value is not { Type: PolicyType.Authorization } policy)
            return Missing();
        var names = await AccountNames.LoadAsync(rules, Call, cancellationToken);
        Policy = policy;
        Text = AuthorizationText.Of(policy, catalog, names, Caller.AccountId);
        LastModifiedBy = names.Identity(policy.LastModifiedById);
        Json = JsonSerializer.Serialize(V2PolicyMapper.ToWire(policy, catalog, ApiResults.BaseUrl(HttpContext), display: true),
            Indented.GetTypeInfo(typeof(V2Policy)));
        return Page();
    }
}
