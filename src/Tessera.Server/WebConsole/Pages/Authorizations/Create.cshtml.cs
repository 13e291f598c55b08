using Microsoft.AspNetCore.Mvc;
using Tessera.Catalog;
using Tessera.Management;
using Tessera.Model;
using Tessera.Policies;

namespace Tessera.Server.WebConsole.Pages.Authorizations;

/// <summary>
/// Create, in the seed's order: source account, source service, all of its resources or selected attributes (a resource
/// group or an instance), target service, target scope, the roles the catalog offers for the pair, Authorize. The same
/// query string pre-fills it (R10), so a source service's own page can send a user here in one click. The form posts
/// to itself to update the choices that depend on earlier ones (a script does it in place where scripts run); the
/// rule book decides the create, and its problems are shown beside their fields.
/// </summary>
public sealed class CreateModel(RuleBook rules, ServiceCatalog catalog) : ConsolePage
{
    [BindProperty(SupportsGet = true, Name = "source_account")]
    public string? SourceAccount { get; set; }

    [BindProperty(SupportsGet = true, Name = "source_account_id")]
    public string? SourceAccountId { get; set; }

    [BindProperty(SupportsGet = true, Name = "source_service")]
    public string? SourceService { get; set; }

    /// <summary><c>all</c>, or <c>attributes</c> with <see cref="SourceAttribute"/>.</summary>
    [BindProperty(SupportsGet = true, Name = "source_scope")]
    public string? SourceScope { get; set; }

    /// <summary><c>group</c> or <c>instance</c>.</summary>
    [BindProperty(SupportsGet = true, Name = "source_attribute")]
    public string? SourceAttribute { get; set; }

    [BindProperty(SupportsGet = true, Name = "source_resource_group")]
    public string? SourceResourceGroup { get; set; }

    [BindProperty(SupportsGet = true, Name = "source_instance")]
    public string? SourceInstance { get; set; }

    [BindProperty(SupportsGet = true, Name = "target_service")]
    public string? TargetService { get; set; }

    /// <summary><c>all</c>, <c>instance</c>, <c>group</c> or <c>resource</c> (a resource type and resource inside an instance).</summary>
    [BindProperty(SupportsGet = true, Name = "target_scope")]
    public string? TargetScope { get; set; }

    [BindProperty(SupportsGet = true, Name = "target_instance")]
    public string? TargetInstance { get; set; }

    [BindProperty(SupportsGet = true, Name = "target_resource_group")]
    public string? TargetResourceGroup { get; set; }

    [BindProperty(SupportsGet = true, Name = "target_resource_type")]
    public string? TargetResourceType { get; set; }

    [BindProperty(SupportsGet = true, Name = "target_resource")]
    public string? TargetResource { get; set; }

    /// <summary>Role CRNs from the form; a link may also name them by display name (<c>roles=Object Writer</c>), comma-separated or repeated.</summary>
    [BindProperty(SupportsGet = true, Name = "roles")]
    public List<string> Roles { get; set; } = [];

    [BindProperty(SupportsGet = true, Name = "description")]
    public string? Description { get; set; }

    public AccountNames Names { get; private set; } = new();

    /// <summary>Roles a link asked for that the chosen pair does not offer: said, rather than silently dropped.</summary>
    public IReadOnlyList<string> UnknownRoles { get; private set; } = [];

    public bool OtherAccount => SourceAccount == "other";

    public IEnumerable<CatalogService> SourceServices => ServiceChoices.Sources(catalog);

    public IEnumerable<CatalogService> TargetServices => ServiceChoices.Targets(catalog, SourceService);

    /// <summary>The catalog's entry for the chosen pair, once both services are chosen and the target accepts the source.</summary>
    public SupportedAuthorization? Pair =>
        SourceService is { Length: > 0 } && TargetService is { Length: > 0 } ? catalog.FindService(TargetService)?.FindAuthorizationFrom(SourceService) : null;

    /// <summary>
    /// Whether a chosen instance (from a link) is not among the service's instances offered: it is kept as chosen, so
    /// that the rule book, not the form, says what is wrong with it.
    /// </summary>
    public bool Unlisted(string? instance, string? service) =>
        instance is { Length: > 0 } && !Names.InstancesOf(service).Any(i => i.Guid == instance);

    public string ServiceName(string? name) => name is { Length: > 0 } ? AuthorizationText.ServiceName(catalog, name) : string.Empty;

    public async Task OnGetAsync(CancellationToken cancellationToken) => await PrepareAsync(cancellationToken);

    /// <summary>Posted by "Update choices" (or by the script, on a change): the same form, with the choices that depend on it.</summary>
    public async Task OnPostRefreshAsync(CancellationToken cancellationToken)
    {
        ModelState.Clear();
        await PrepareAsync(cancellationToken);
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        await PrepareAsync(cancellationToken);
        var created = await rules.CreatePolicyAsync(Call, Draft(), cancellationToken);
        if (created.Succeeded)
            return Done($"Authorization of {ServiceName(SourceService)} to {ServiceName(TargetService)} created.", "Details", new { id = created.Value!.Id });
        if (created.Kind == OutcomeKind.Conflict && created.Value is { } existing)
        {
            ExistingId = existing.Id;
            ModelState.AddModelError(string.Empty, "An identical authorization already exists; nothing was created.");
            return Page();
        }
        Show(created.Problem!, FieldOf);
        return Page();
    }

    /// <summary>The authorization that already grants the same (R6), when the create met one.</summary>
    public string? ExistingId { get; private set; }

    private async Task PrepareAsync(CancellationToken cancellationToken)
    {
        // A link may name the scope only by what it picks (source_instance=…): the choice it implies is made for it.
        SourceAccount = SourceAccount is "other" || (SourceAccount is null && SourceAccountId is { Length: > 0 }) ? "other" : "this";
        SourceScope ??= SourceInstance is { Length: > 0 } || SourceResourceGroup is { Length: > 0 } ? "attributes" : "all";
        SourceAttribute ??= SourceResourceGroup is { Length: > 0 } && SourceInstance is not { Length: > 0 } ? "group" : "instance";
        TargetScope ??= TargetResource is { Length: > 0 } || TargetResourceType is { Length: > 0 } ? "resource"
            : TargetInstance is { Length: > 0 } ? "instance"
            : TargetResourceGroup is { Length: > 0 } ? "group"
            : "all";
        Names = await AccountNames.LoadAsync(rules, Call, cancellationToken);

        var requested = Roles.SelectMany(r => r.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)).ToList();
        var offered = Pair?.Roles ?? [];
        Roles = [];
        var unknown = new List<string>();
        foreach (var role in requested)
        {
            if (offered.FirstOrDefault(r => NamesOf(r).Contains(role, StringComparer.OrdinalIgnoreCase)) is { } match)
                Roles.Add(match.Crn);
            else if (Pair is not null)
                unknown.Add(role);
            else
                Roles.Add(role); // kept until the pair is chosen
        }
        UnknownRoles = unknown;

        static string[] NamesOf(CatalogRole role) => [role.Crn, role.Name, role.DisplayName];
    }

    private PolicyDraft Draft()
    {
        var subject = new List<AttributeConstraint> { Equal(AttributeNames.AccountId, OtherAccount ? SourceAccountId?.Trim() ?? string.Empty : Caller.AccountId) };
        if (SourceService is { Length: > 0 })
            subject.Add(Equal(AttributeNames.ServiceName, SourceService));
        if (SourceScope == "attributes")
        {
            subject.Add(SourceAttribute == "group"
                ? Equal(AttributeNames.ResourceGroupId, SourceResourceGroup?.Trim() ?? string.Empty)
                : Equal(AttributeNames.ServiceInstance, Crn.InstanceGuid(SourceInstance?.Trim() ?? string.Empty)));
        }
        var resource = new List<AttributeConstraint> { Equal(AttributeNames.AccountId, Caller.AccountId) };
        if (TargetService is { Length: > 0 })
            resource.Add(Equal(AttributeNames.ServiceName, TargetService));
        switch (TargetScope)
        {
            case "instance":
                resource.Add(Equal(AttributeNames.ServiceInstance, TargetInstance ?? string.Empty));
                break;
            case "group":
                resource.Add(Equal(AttributeNames.ResourceGroupId, TargetResourceGroup ?? string.Empty));
                break;
            case "resource":
                resource.Add(Equal(AttributeNames.ServiceInstance, TargetInstance ?? string.Empty));
                resource.Add(Equal(AttributeNames.ResourceType, TargetResourceType ?? string.Empty));
                if (TargetResource is { Length: > 0 })
                    resource.Add(Equal(AttributeNames.Resource, TargetResource.Trim()));
                break;
        }
        return new PolicyDraft(PolicyType.Authorization, Description is { Length: > 0 } ? Description.Trim() : null, subject, Roles, resource);

        static AttributeConstraint Equal(string name, string value) => new(name, value, AttributeOperator.StringEquals, true);
    }

    /// <summary>The form field a rule-book problem concerns.</summary>
    private string? FieldOf(string? field) => field switch
    {
        "subject.accountId" => OtherAccount ? "source_account_id" : "source_account",
        "subject.serviceName" => "source_service",
        "subject.serviceInstance" => "source_instance",
        "subject.resourceGroupId" => "source_resource_group",
        "resource" or "resource.serviceName" or "resource.accountId" => "target_service",
        "resource.serviceInstance" => "target_instance",
        "resource.resourceGroupId" => "target_resource_group",
        "resource.resourceType" => "target_resource_type",
        "resource.resource" => "target_resource",
        "roles" => "roles",
        "description" => "description",
        { } other when other.StartsWith("subject", StringComparison.Ordinal) => "source_scope",
        { } other when other.StartsWith("resource", StringComparison.Ordinal) => "target_scope",
        _ => null,
    };
}
