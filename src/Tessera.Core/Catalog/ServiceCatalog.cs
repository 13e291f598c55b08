using System.Collections.Frozen;
using System.Text.Json;
using Tessera.Errors;
using Tessera.Model;

namespace Tessera.Catalog;

/// <summary>
/// The validated service catalog: services, their roles and actions, plans, and the source → target pairs
/// that authorizations may name. Immutable once loaded.
/// </summary>
public sealed class ServiceCatalog
{
    // IBM spells the standard service roles in the iam namespace and service-defined roles in the service's own.
    private static readonly FrozenSet<string> StandardServiceRoleNames = FrozenSet.Create(StringComparer.Ordinal, "Reader", "Writer", "Manager");

    private readonly FrozenDictionary<string, CatalogService> _servicesByName;
    private readonly FrozenDictionary<string, CatalogRole> _platformRolesByName;

    private ServiceCatalog(IReadOnlyList<CatalogRole> platformRoles, IReadOnlyList<CatalogService> services)
    {
        PlatformRoles = platformRoles;
        Services = services;
        _servicesByName = services.ToFrozenDictionary(s => s.Name, StringComparer.Ordinal);
        _platformRolesByName = platformRoles.ToFrozenDictionary(r => r.Name, StringComparer.Ordinal);
        _actions = platformRoles.Concat(services.SelectMany(s => s.ServiceRoles)).SelectMany(r => r.Actions).ToFrozenSet(StringComparer.Ordinal);
    }

    private readonly FrozenSet<string> _actions;
    // The service each resource type is of (see ServiceOfResourceType), for AuthZEN's plain resources on the decision path.
    private FrozenDictionary<string, CatalogService> _servicesByResourceType = FrozenDictionary<string, CatalogService>.Empty;

    /// <summary>Whether any role of the catalog carries <paramref name="action"/>; one that none carries can never be permitted.</summary>
    public bool KnowsAction(string action) => _actions.Contains(action);

    /// <summary>The catalog's actions closest to an unknown one.</summary>
    public IReadOnlyList<string> ActionsNear(string action) => NearestNames.To(action, _actions);

    public IReadOnlyList<CatalogRole> PlatformRoles { get; }

    public IReadOnlyList<CatalogService> Services { get; }

    public CatalogService? FindService(string name) => _servicesByName.GetValueOrDefault(name);

    /// <summary>
    /// The one service whose resources include <paramref name="resourceType"/>: the only one declaring it, or else the only
    /// one of the operator's catalog file declaring it (an operator who adds "route" means theirs); null when that is not one.
    /// </summary>
    public CatalogService? ServiceOfResourceType(string resourceType) => _servicesByResourceType.GetValueOrDefault(resourceType);

    private void IndexResourceTypes(HashSet<string> operatorServices)
    {
        var byType = new Dictionary<string, CatalogService>(StringComparer.Ordinal);
        foreach (var type in Services.SelectMany(s => s.ResourceTypes).Distinct(StringComparer.Ordinal))
        {
            var declaring = Services.Where(s => s.ResourceTypes.Contains(type)).ToList();
            if (declaring.Count > 1)
                declaring = declaring.Where(s => operatorServices.Contains(s.Name)).ToList();
            if (declaring.Count == 1)
                byType[type] = declaring[0];
        }
        _servicesByResourceType = byType.ToFrozenDictionary(StringComparer.Ordinal);
    }

    /// <summary>
    /// What <c>GET /v2/roles</c> answers: with no service, the platform roles; for a service, its roles (and the
    /// platform's, for access); for an authorization, exactly the roles its source → target pair supports (R4). An
    /// unknown service or an unsupported pair is an error that says so and what would work — IBM answers empty lists,
    /// which Terraform reports as "Valid roles are NONE".
    /// </summary>
    public IReadOnlyList<CatalogRole> RolesFor(string? serviceName, string? sourceName, bool authorization, out TesseraError? error)
    {
        error = null;
        if (serviceName is null)
            return PlatformRoles;
        if (FindService(serviceName) is not { } service)
        {
            error = UnknownService("service_name", serviceName);
            return [];
        }
        if (sourceName is null)
        {
            return authorization
                ? service.Authorizations.SelectMany(a => a.Roles).Distinct().ToList()
                : [.. service.ServiceRoles, .. PlatformRoles];
        }
        if (FindService(sourceName) is null)
        {
            error = UnknownService("source_service_name", sourceName);
            return [];
        }
        if (service.FindAuthorizationFrom(sourceName) is { } pair)
            return pair.Roles;
        var sources = service.Authorizations.Select(a => a.SourceService).ToList();
        error = new TesseraError(404, ErrorCodes.RoleNotSupported, sources.Count == 0
            ? $"{serviceName} accepts no authorizations from other services"
            : $"{serviceName} does not accept authorizations from {sourceName}; it accepts them from {string.Join(", ", sources)}");
        return [];
    }

    private TesseraError UnknownService(string parameter, string name)
    {
        var near = NearestNames.To(name, Services.Select(s => s.Name));
        return new TesseraError(404, ErrorCodes.ServiceNotFound, near.Count == 0
            ? $"{parameter} '{name}' is not a service in the catalog (see GET /v1/catalog/services)"
            : $"{parameter} '{name}' is not a service in the catalog; did you mean {string.Join(" or ", near.Select(n => $"'{n}'"))}?");
    }

    public static string PlatformRoleCrn(string roleName) => $"crn:v1:bluemix:public:iam::::role:{roleName}";

    public static string ServiceRoleCrn(string serviceName, string roleName) =>
        StandardServiceRoleNames.Contains(roleName)
            ? $"crn:v1:bluemix:public:iam::::serviceRole:{roleName}"
            : $"crn:v1:bluemix:public:{serviceName}::::serviceRole:{roleName}";

    /// <summary>
    /// Resolves a role CRN in the context of a target service. Accepts the canonical spelling and the aliases
    /// found in IBM's docs (<c>iam::::serviceRole:ObjectWriter</c>, <c>cloud-object-storage::::serviceRole:Writer</c>).
    /// Returns null when the CRN names no role of that service.
    /// </summary>
    public CatalogRole? ResolveRole(CatalogService target, string roleCrn)
    {
        if (!Crn.TryParse(roleCrn, out var crn, out _)
            || crn.Region.Length != 0 || crn.Scope.Length != 0 || crn.ServiceInstance.Length != 0)
        {
            return null;
        }

        if (crn.ResourceType == "role" && crn.ServiceName == "iam")
            return _platformRolesByName.GetValueOrDefault(crn.Resource);

        if (crn.ResourceType != "serviceRole" || (crn.ServiceName != "iam" && crn.ServiceName != target.Name))
            return null;

        foreach (var role in target.ServiceRoles)
        {
            if (role.Name == crn.Resource)
                return role;
        }
        return null;
    }

    public static ServiceCatalog LoadBuiltIn(string? extensionFile = null)
    {
        using var builtIn = typeof(ServiceCatalog).Assembly.GetManifestResourceStream("Tessera.catalog.json")
            ?? throw new CatalogException("the built-in catalog resource is missing from Tessera.Core");
        if (extensionFile is null)
            return Load(builtIn, "built-in catalog", null, null);

        using var extension = OpenExtension(extensionFile);
        return Load(builtIn, "built-in catalog", extension, extensionFile);
    }

    private static FileStream OpenExtension(string path)
    {
        try
        {
            return File.OpenRead(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CatalogException($"catalog file '{path}' cannot be read: {ex.Message}", ex);
        }
    }

    /// <summary>Loads a catalog; services (and platform roles) in <paramref name="extension"/> add to or replace those of <paramref name="primary"/>.</summary>
    public static ServiceCatalog Load(Stream primary, string primaryName, Stream? extension, string? extensionName)
    {
        var document = Read(primary, primaryName);
        if (extension is not null)
        {
            var overlay = Read(extension, extensionName ?? "catalog extension");
            var services = (document.Services ?? []).Where(s => !(overlay.Services ?? []).Any(o => o.Name == s.Name)).Concat(overlay.Services ?? []).ToList();
            var platformRoles = (document.PlatformRoles ?? []).Where(r => !(overlay.PlatformRoles ?? []).Any(o => o.Name == r.Name))
                .Concat(overlay.PlatformRoles ?? []).ToList();
            document = new CatalogDocument(platformRoles, services);
            var catalog = Build(document);
            catalog.IndexResourceTypes((overlay.Services ?? []).Select(s => s.Name!).ToHashSet(StringComparer.Ordinal));
            return catalog;
        }
        var builtIn = Build(document);
        builtIn.IndexResourceTypes([]);
        return builtIn;
    }

    private static CatalogDocument Read(Stream stream, string name)
    {
        try
        {
            return JsonSerializer.Deserialize(stream, CatalogJsonContext.Default.CatalogDocument)
                ?? throw new CatalogException($"{name}: the file is empty (null)");
        }
        catch (JsonException ex)
        {
            throw new CatalogException($"{name}: not a valid catalog document: {ex.Message}", ex);
        }
    }

    private static ServiceCatalog Build(CatalogDocument document)
    {
        var problems = new List<string>();

        var platformRoles = new List<CatalogRole>();
        foreach (var (raw, index) in (document.PlatformRoles ?? []).Select((r, i) => (r, i)))
        {
            if (BuildRole(raw, $"platformRoles[{index}]", null, problems) is { } role)
                platformRoles.Add(role);
        }
        if (platformRoles.Count == 0)
            problems.Add("platformRoles: at least one platform role is required");
        ReportDuplicates(platformRoles.Select(r => r.Name), "platformRoles", "role name", problems);
        var platformByName = platformRoles.DistinctBy(r => r.Name).ToDictionary(r => r.Name, StringComparer.Ordinal);

        var rawServices = document.Services ?? [];
        if (rawServices.Count == 0)
            problems.Add("services: at least one service is required");
        ReportDuplicates(rawServices.Select(s => s.Name ?? string.Empty), "services", "service name", problems);
        var serviceNames = rawServices.Where(s => s.Name is not null).Select(s => s.Name!).ToHashSet(StringComparer.Ordinal);

        var services = new List<CatalogService>();
        foreach (var (raw, index) in rawServices.Select((s, i) => (s, i)))
        {
            var where = $"services[{index}]" + (raw.Name is null ? string.Empty : $" ({raw.Name})");
            if (!IsName(raw.Name))
            {
                problems.Add($"{where}: 'name' must be a lowercase service name of letters, digits and '-' (got '{raw.Name}')");
                continue;
            }
            if (string.IsNullOrWhiteSpace(raw.DisplayName))
                problems.Add($"{where}: 'displayName' is required");

            var resourceTypes = raw.ResourceTypes ?? [];
            ReportDuplicates(resourceTypes, where, "resource type", problems);

            var plans = new List<CatalogPlan>();
            foreach (var plan in raw.Plans ?? [])
            {
                if (string.IsNullOrWhiteSpace(plan.Id) || string.IsNullOrWhiteSpace(plan.Name))
                    problems.Add($"{where}: every plan needs an 'id' and a 'name'");
                else
                    plans.Add(new CatalogPlan(plan.Id, plan.Name));
            }
            // A service without plans is an account-management service (iam-identity, iam-groups, ...): nothing to provision,
            // governed by the platform roles alone.
            var provisionable = plans.Count > 0;

            var roles = new List<CatalogRole>();
            foreach (var (rawRole, roleIndex) in (raw.Roles ?? []).Select((r, i) => (r, i)))
            {
                if (BuildRole(rawRole, $"{where}.roles[{roleIndex}]", raw.Name, problems) is { } role)
                    roles.Add(role);
            }
            if (roles.Count == 0 && provisionable)
                problems.Add($"{where}: at least one service role is required (a service without plans may have none)");
            ReportDuplicates(roles.Select(r => r.Name), where, "role name", problems);

            var authorizations = new List<SupportedAuthorization>();
            foreach (var (pair, pairIndex) in (raw.Authorizations ?? []).Select((a, i) => (a, i)))
            {
                var pairWhere = $"{where}.authorizations[{pairIndex}]";
                if (pair.Source is null || !serviceNames.Contains(pair.Source))
                {
                    problems.Add($"{pairWhere}: source '{pair.Source}' is not a service in the catalog");
                    continue;
                }
                var pairRoles = new List<CatalogRole>();
                foreach (var roleName in pair.Roles ?? [])
                {
                    var role = roles.FirstOrDefault(r => r.Name == roleName) ?? platformByName.GetValueOrDefault(roleName);
                    if (role is null)
                        problems.Add($"{pairWhere}: role '{roleName}' is neither a role of {raw.Name} nor a platform role");
                    else
                        pairRoles.Add(role);
                }
                if (pairRoles.Count == 0)
                    problems.Add($"{pairWhere}: at least one role is required");
                var pairTypes = pair.ResourceTypes ?? resourceTypes;
                foreach (var type in pairTypes.Where(t => !resourceTypes.Contains(t)))
                    problems.Add($"{pairWhere}: resource type '{type}' is not a resource type of {raw.Name}");
                authorizations.Add(new SupportedAuthorization(pair.Source, pairRoles, pairTypes));
            }
            ReportDuplicates(authorizations.Select(a => a.SourceService), where, "authorization source", problems);

            var attributes = raw.Attributes ?? [];
            foreach (var attribute in attributes.Where(a => Policies.AttributeNames.Authorization.Contains(a) || a is Policies.AttributeNames.IamId or Policies.AttributeNames.AccessGroupId
                         || a.Length is 0 or > 64 || a.Any(c => !char.IsAsciiLetterOrDigit(c) && c is not ('_' or '-' or '.'))))
                problems.Add($"{where}: attribute '{attribute}' is a standard attribute or not a name (letters, digits, '_', '-', '.'; at most 64)");
            ReportDuplicates(attributes, where, "attribute", problems);
            services.Add(new CatalogService(raw.Name, raw.DisplayName ?? raw.Name, resourceTypes, plans, roles, authorizations) { Attributes = attributes });
        }
        ReportDuplicates(services.SelectMany(s => s.Plans).Select(p => p.Id), "services", "plan id", problems);

        if (problems.Count > 0)
            throw new CatalogException("the service catalog is invalid:\n  - " + string.Join("\n  - ", problems));
        return new ServiceCatalog(platformRoles, services);
    }

    private static CatalogRole? BuildRole(CatalogDocumentRole raw, string where, string? serviceName, List<string> problems)
    {
        if (raw.Name is null || raw.Name.Length == 0 || !raw.Name.All(char.IsAsciiLetterOrDigit))
        {
            problems.Add($"{where}: 'name' must be letters and digits without spaces (got '{raw.Name}')");
            return null;
        }
        if (raw.Actions is null || raw.Actions.Count == 0)
        {
            problems.Add($"{where} ({raw.Name}): at least one action is required");
            return null;
        }
        foreach (var action in raw.Actions.Where(a => string.IsNullOrWhiteSpace(a) || a.Contains(' ', StringComparison.Ordinal)))
            problems.Add($"{where} ({raw.Name}): action '{action}' must be a non-empty name without spaces");

        var crn = serviceName is null ? PlatformRoleCrn(raw.Name) : ServiceRoleCrn(serviceName, raw.Name);
        if (raw.Crn is not null && raw.Crn != crn)
            problems.Add($"{where} ({raw.Name}): 'crn' '{raw.Crn}' differs from the CRN derived from the name ('{crn}'); leave it out");
        return new CatalogRole(raw.Name, raw.DisplayName ?? raw.Name, raw.Description ?? string.Empty, crn, raw.Actions.Distinct().ToArray(), serviceName is null);
    }

    private static bool IsName([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] string? name) =>
        !string.IsNullOrEmpty(name) && name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-');

    private static void ReportDuplicates(IEnumerable<string> values, string where, string what, List<string> problems)
    {
        foreach (var duplicate in values.GroupBy(v => v, StringComparer.Ordinal).Where(g => g.Count() > 1))
            problems.Add($"{where}: {what} '{duplicate.Key}' appears {duplicate.Count()} times");
    }
}
