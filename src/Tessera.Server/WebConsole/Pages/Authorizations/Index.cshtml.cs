using Microsoft.AspNetCore.Mvc;
using Tessera.Catalog;
using Tessera.Management;
using Tessera.Policies;
using Tessera.Server.Policies;
using Tessera.Storage;

namespace Tessera.Server.WebConsole.Pages.Authorizations;

/// <summary>
/// Manage → Access (IAM) → Authorizations: the authorizations the caller may view (R3), newest first, a page at a time,
/// filtered by source and target service.
/// </summary>
public sealed class IndexModel(RuleBook rules, ServiceCatalog catalog) : ConsolePage
{
    public const int PageSize = 20;
    private const string Sort = "-created_at";

    [BindProperty(SupportsGet = true, Name = "source_service")]
    public string? SourceService { get; set; }

    [BindProperty(SupportsGet = true, Name = "target_service")]
    public string? TargetService { get; set; }

    [BindProperty(SupportsGet = true, Name = "after")]
    public string? After { get; set; }

    public IReadOnlyList<AuthorizationText> Rows { get; private set; } = [];

    public string? Next { get; private set; }

    public bool Filtered => SourceService is { Length: > 0 } || TargetService is { Length: > 0 };

    public IEnumerable<CatalogService> SourceServices => ServiceChoices.Sources(catalog);

    public IEnumerable<CatalogService> TargetServices => ServiceChoices.Targets(catalog, null);

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        // A link with a page token that is not one (edited by hand, or from an older sort) opens the first page.
        PageCursor? cursor = null;
        if (After is { Length: > 0 } && !PageTokens.TryDecode(After, Sort, out cursor))
            After = null;
        var query = new PolicyQuery
        {
            AccountId = Caller.AccountId,
            Type = PolicyType.Authorization,
            ServiceName = TargetService is { Length: > 0 } ? TargetService : null,
            Descending = true,
            Limit = PageSize + 1,
            After = cursor,
        };
        // The source filter is not one the store reads by, so pages are read until this one is full.
        var shown = new List<Policy>(PageSize + 1);
        while (true)
        {
            var page = await rules.ListPoliciesAsync(Call, query, cancellationToken);
            if (!page.Succeeded)
            {
                Show(page.Problem!);
                return;
            }
            shown.AddRange(page.Value!.Policies.Where(p => SourceService is not { Length: > 0 } || p.SubjectValue(AttributeNames.ServiceName) == SourceService));
            if (shown.Count > PageSize || page.Value.Next is null)
                break;
            query = query with { After = page.Value.Next };
        }
        if (shown.Count > PageSize)
        {
            shown.RemoveRange(PageSize, shown.Count - PageSize);
            Next = PageTokens.Encode(PageCursor.After(shown[^1], PolicySortField.CreatedAt), Sort);
        }
        var names = await AccountNames.LoadAsync(rules, Call, cancellationToken);
        Rows = shown.Select(p => AuthorizationText.Of(p, catalog, names, Caller.AccountId)).ToList();
    }
}
