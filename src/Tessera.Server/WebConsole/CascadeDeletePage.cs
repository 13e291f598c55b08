using Microsoft.AspNetCore.Mvc;
using Tessera.Catalog;
using Tessera.Management;
using Tessera.Policies;

namespace Tessera.Server.WebConsole;

/// <summary>
/// A deletion that takes policies with it (R7): the page lists them, as the rule book says, before anything happens;
/// the post deletes, through the rule book, and says how many went.
/// </summary>
public abstract class CascadeDeletePage(RuleBook rules, ServiceCatalog catalog) : ConsolePage
{
    protected RuleBook Rules => rules;

    protected ServiceCatalog Catalog => catalog;

    /// <summary>The policies that go with it, in words.</summary>
    public IReadOnlyList<AuthorizationText> Removed { get; private set; } = [];

    /// <summary>What is deleted, in the notice afterwards: "Service instance audit-archive".</summary>
    protected abstract string What { get; }

    /// <summary>Loads the thing (false when it does not exist or the caller may not see it) and the policies its deletion removes.</summary>
    protected abstract Task<IReadOnlyList<Policy>?> LoadAsync(string id, CancellationToken cancellationToken);

    /// <summary>The deletion; its problem when the rule book refuses it.</summary>
    protected abstract Task<Problem?> DeleteAsync(string id, CancellationToken cancellationToken);

    public async Task<IActionResult> OnGetAsync(string id, CancellationToken cancellationToken) =>
        await PrepareAsync(id, cancellationToken) ? Page() : Missing();

    public async Task<IActionResult> OnPostAsync(string id, CancellationToken cancellationToken)
    {
        if (!await PrepareAsync(id, cancellationToken))
            return Missing();
        if (await DeleteAsync(id, cancellationToken) is { } problem)
        {
            Show(problem);
            return Page();
        }
        return Done($"{What} deleted, with {Removed.Count} {(Removed.Count == 1 ? "policy" : "policies")}.", "Index");
    }

    private async Task<bool> PrepareAsync(string id, CancellationToken cancellationToken)
    {
        if (await LoadAsync(id, cancellationToken) is not { } removed)
            return false;
        var names = await AccountNames.LoadAsync(rules, Call, cancellationToken);
        Removed = removed.Select(p => AuthorizationText.Of(p, catalog, names, Caller.AccountId)).ToList();
        return true;
    }
}
