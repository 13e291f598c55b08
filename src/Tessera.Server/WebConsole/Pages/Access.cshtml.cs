using Microsoft.AspNetCore.Mvc;
using Tessera.Catalog;
using Tessera.Decisions;
using Tessera.Management;
using Tessera.Model;
using Tessera.Policies;
using Tessera.Server.Decisions;

namespace Tessera.Server.WebConsole.Pages;

/// <summary>
/// "Who can access this resource": the subject search of the decision API (<c>POST /access/v1/search/subject</c>), for a
/// caller who may read the policies on the resource, as the API asks.
/// </summary>
public sealed class AccessModel(RuleBook rules, ServiceCatalog catalog, DecisionIndex index, ResourceDirectory directory) : ConsolePage
{
    [BindProperty(SupportsGet = true, Name = "resource")]
    public string? Resource { get; set; }

    [BindProperty(SupportsGet = true, Name = "action")]
    public string? Action { get; set; }

    public IReadOnlyList<Subject>? Results { get; private set; }

    /// <summary>The catalog's actions, offered as the action field's suggestions.</summary>
    public IEnumerable<string> Actions => catalog.Services.SelectMany(s => s.ServiceRoles.Concat(s.Authorizations.SelectMany(a => a.Roles)))
        .Concat(catalog.PlatformRoles).SelectMany(r => r.Actions).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);

    /// <summary>One subject that may do the action: its kind, who it is, through which scope, and in which account.</summary>
    public sealed record Subject(string Kind, string Who, string Scope, string Account);

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        if (Resource is null && Action is null)
            return Page();
        Crn? crn = null;
        if (Required("resource", Resource, 512, "resource's CRN") is { } text && !Crn.TryParse(text, out crn, out var crnError))
            ModelState.AddModelError("resource", $"That is not a CRN: {crnError}");
        var action = Required("action", Action, 256, "action");
        if (!ModelState.IsValid)
            return Page();
        var resource = directory.Complete(AuthZenReader.FromCrn(crn!));
        if (!await rules.MaySeePoliciesOnAsync(Caller, resource, cancellationToken))
        {
            ModelState.AddModelError(string.Empty, DecisionsApi.ExplainForbidden);
            return Page();
        }
        var names = await AccountNames.LoadAsync(rules, Call, cancellationToken);
        Results = index.SearchSubjects(resource, action!).Select(scope => Describe(scope.Properties, names)).ToList();
        return Page();
    }

    private Subject Describe(IReadOnlyDictionary<string, string> properties, AccountNames names)
    {
        var account = properties.GetValueOrDefault(AttributeNames.AccountId) is { } id ? id == Caller.AccountId ? "This account" : id : string.Empty;
        if (properties.TryGetValue(AttributeNames.IamId, out var iamId))
            return new Subject("User or service ID", names.Identity(iamId), "Access policy", account);
        if (properties.TryGetValue(AttributeNames.AccessGroupId, out var groupId))
            return new Subject("Access group", groupId, "Access policy", account);
        var scope = new List<string>();
        if (properties.GetValueOrDefault(AttributeNames.ServiceInstance) is { } instance)
            scope.Add($"Instance {(account == "This account" ? names.Instance(instance) : instance)}");
        if (properties.GetValueOrDefault(AttributeNames.ResourceGroupId) is { } group)
            scope.Add($"Resource group {(account == "This account" ? names.Group(group) : group)}");
        var service = properties.GetValueOrDefault(AttributeNames.ServiceName);
        return new Subject("Service", service is null ? "Every service" : AuthorizationText.ServiceName(catalog, service),
            scope.Count == 0 ? "All resources" : string.Join(", ", scope), account);
    }
}
