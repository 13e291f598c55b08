using System.Diagnostics.CodeAnalysis;
using Tessera.Catalog;
using Tessera.Errors;
using Tessera.Model;

namespace Tessera.Policies;

/// <summary>
/// Applies the catalog rules to a policy. An authorization: R1 (source → target with roles), R2 (both sides name their
/// account), R4 (only supported pairs and roles) and R5 (the scope forms). An access policy: one identity or access group
/// as subject, a resource in one account (every service, one service, or a narrower scope of it) and roles that exist
/// there. Shape problems were already caught by the wire parser; whether the subject exists is the caller's to check.
/// </summary>
public sealed class PolicyValidator(ServiceCatalog catalog)
{
    private const string Roles = "roles";

    public bool TryValidate(PolicyDraft draft, [NotNullWhen(true)] out ValidatedPolicy? policy, [NotNullWhen(false)] out TesseraError? error)
    {
        List<string>? roles = null;
        error = CheckRule(draft) ?? Check(draft, out roles);
        policy = error is null
            ? new ValidatedPolicy(draft.Type, draft.Description, draft.Subject, roles!, draft.Resource) { Pattern = draft.Pattern, Rule = draft.Rule }
            : null;
        return error is null;
    }

    private TesseraError? Check(PolicyDraft draft, out List<string>? canonicalRoles)
    {
        canonicalRoles = [];
        if (draft.Description is { Length: > PolicyLimits.MaxDescriptionLength })
            return TesseraError.BadRequest($"description must be at most {PolicyLimits.MaxDescriptionLength} characters", "description");
        if (draft.Type == PolicyType.Access)
            return CheckAccess(draft, canonicalRoles);

        if ((CheckAttributes(draft.Subject, "subject", ServiceDefined(draft.Subject)) ?? CheckAttributes(draft.Resource, "resource", ServiceDefined(draft.Resource)))
            is { } shapeError)
        {
            return shapeError;
        }

        var sourceName = Value(draft.Subject, AttributeNames.ServiceName);
        var targetName = Value(draft.Resource, AttributeNames.ServiceName);
        if (Value(draft.Subject, AttributeNames.AccountId) is null)
            return TesseraError.BadRequest("subject must include the attribute 'accountId' (the source's account)", "subject.accountId");
        if (Value(draft.Resource, AttributeNames.AccountId) is null)
            return TesseraError.BadRequest("resource must include the attribute 'accountId' (the account that owns the target)", "resource.accountId");
        // IBM's resource-group shapes: every service of a resource group as the source (subject resourceGroupId, often
        // with stringExists), or a resource group as the target (resource resourceType "resource-group", no service).
        var groupSource = sourceName is null && draft.Subject.Any(a => a.Name == AttributeNames.ResourceGroupId);
        var groupTarget = targetName is null && Value(draft.Resource, AttributeNames.ResourceType) == Crn.ResourceGroupType;
        if (sourceName is null && !groupSource)
            return TesseraError.BadRequest("subject must include the attribute 'serviceName' (the source service) or 'resourceGroupId' (the services of a resource group)", "subject.serviceName");
        if (targetName is null && !groupTarget)
            return TesseraError.BadRequest("resource must include the attribute 'serviceName' (the target service), or 'resourceType' 'resource-group' for a resource group", "resource.serviceName");

        var source = sourceName is null ? null : catalog.FindService(sourceName);
        if (sourceName is not null && source is null)
            return TesseraError.BadRequest($"subject serviceName '{sourceName}' is not a service in the catalog (see GET /v1/catalog/services)", "subject.serviceName");
        var target = catalog.FindService(targetName ?? Crn.ResourceController);
        if (target is null)
            return TesseraError.BadRequest($"resource serviceName '{targetName}' is not a service in the catalog (see GET /v1/catalog/services)", "resource.serviceName");
        if (source is null || groupTarget)
            return CheckResourceGroupForm(draft, source, target, canonicalRoles);

        var pair = target.FindAuthorizationFrom(source.Name);
        if (pair is null)
        {
            return new TesseraError(400, ErrorCodes.RoleNotSupported,
                $"{target.Name} does not accept authorizations from {source.Name}. Valid roles are NONE " +
                $"(GET /v2/roles?service_name={target.Name}&source_service_name={source.Name}&policy_type=authorization)", "resource.serviceName");
        }

        if ((CheckScope(draft.Subject, "subject", source.Name, source.ResourceTypes) ?? CheckScope(draft.Resource, "resource", target.Name, pair.ResourceTypes)) is { } scopeError)
            return scopeError;

        if (draft.RoleIds.Count == 0)
            return TesseraError.BadRequest("roles must name at least one role", Roles);
        foreach (var roleId in draft.RoleIds)
        {
            var role = catalog.ResolveRole(target, roleId);
            if (role is null || !pair.Roles.Contains(role))
            {
                return new TesseraError(400, ErrorCodes.RoleNotSupported,
                    $"role '{roleId}' cannot be granted to {source.Name} on {target.Name}. Valid roles are " +
                    string.Join(", ", pair.Roles.Select(r => $"{r.DisplayName} ({r.Crn})")), Roles);
            }
            if (canonicalRoles.Contains(role.Crn))
                return TesseraError.BadRequest($"role '{role.DisplayName}' ({role.Crn}) is listed more than once", Roles);
            canonicalRoles.Add(role.Crn);
        }
        return null;
    }

    /// <summary>
    /// A resource group as source or target: no catalog pair names it, so the role is IBM's documented one for these
    /// shapes, the platform role Viewer; the scopes are checked as for any authorization.
    /// </summary>
    private TesseraError? CheckResourceGroupForm(PolicyDraft draft, CatalogService? source, CatalogService target, List<string> canonicalRoles)
    {
        var scopeError = (source is null ? null : CheckScope(draft.Subject, "subject", source.Name, source.ResourceTypes))
            ?? CheckScope(draft.Resource, "resource", target.Name, target.ResourceTypes);
        if (scopeError is not null)
            return scopeError;
        var viewer = catalog.PlatformRoles.First(r => r.Name == "Viewer");
        foreach (var roleId in draft.RoleIds)
        {
            if (catalog.ResolveRole(target, roleId) != viewer)
            {
                return new TesseraError(400, ErrorCodes.RoleNotSupported,
                    $"role '{roleId}' cannot be granted here: an authorization with a resource group as source or target grants Viewer ({viewer.Crn})", Roles);
            }
        }
        if (draft.RoleIds.Count != 1)
            return TesseraError.BadRequest($"roles must name exactly one role, Viewer ({viewer.Crn})", Roles);
        canonicalRoles.Add(viewer.Crn);
        return null;
    }

    private TesseraError? CheckAccess(PolicyDraft draft, List<string> canonicalRoles)
    {
        // The identity or group, and then only attributes the resource's service defines for its subjects (a role the caller claims).
        var serviceDefined = ServiceDefined(draft.Resource);
        var subject = draft.Subject.Count > 0 ? draft.Subject[0] : null;
        var more = draft.Subject.Skip(1).ToList();
        if (subject is not { Name: AttributeNames.IamId or AttributeNames.AccessGroupId } || more.Any(a => !serviceDefined.Contains(a.Name)))
        {
            return TesseraError.BadRequest(
                $"an access policy's subject is one attribute, '{AttributeNames.IamId}' (a user or service ID) or '{AttributeNames.AccessGroupId}'" +
                (serviceDefined.Count == 0 ? string.Empty : $", optionally with attributes its service defines ({string.Join(", ", serviceDefined)})"));
        }
        if (subject.Operator != AttributeOperator.StringEquals || subject.Value.Length is 0 or > PolicyLimits.MaxValueLength)
            return TesseraError.BadRequest($"subject attribute '{subject.Name}' must be an exact value (stringEquals) of 1 to {PolicyLimits.MaxValueLength} characters");
        if ((CheckAttributes(more, "subject", serviceDefined) ?? CheckAttributes(draft.Resource, "resource", serviceDefined)) is { } shapeError)
            return shapeError;
        if (Value(draft.Resource, AttributeNames.AccountId) is null)
            return TesseraError.BadRequest("resource must include the attribute 'accountId' (the account the access is in)");

        var serviceName = Value(draft.Resource, AttributeNames.ServiceName);
        CatalogService? service = null;
        if (serviceName is null)
        {
            if (Value(draft.Resource, AttributeNames.ServiceInstance) is not null || Value(draft.Resource, AttributeNames.ResourceType) is not null)
                return TesseraError.BadRequest("resource attributes 'serviceInstance' and 'resourceType' need 'serviceName' to say which service they belong to");
        }
        else
        {
            service = catalog.FindService(serviceName);
            if (service is null)
                return TesseraError.BadRequest($"resource serviceName '{serviceName}' is not a service in the catalog (see GET /v1/catalog/services)");
            if (CheckScope(draft.Resource, "resource", service.Name, service.ResourceTypes) is { } scopeError)
                return scopeError;
        }

        if (draft.RoleIds.Count == 0)
            return TesseraError.BadRequest("roles must name at least one role", Roles);
        foreach (var roleId in draft.RoleIds)
        {
            // With no service, a role is valid if some service has it: the platform roles and Reader, Writer, Manager.
            var role = service is not null
                ? catalog.ResolveRole(service, roleId)
                : catalog.Services.Select(s => catalog.ResolveRole(s, roleId)).FirstOrDefault(r => r is not null);
            if (role is null)
            {
                return new TesseraError(400, ErrorCodes.RoleNotSupported, service is null
                    ? $"role '{roleId}' is not a platform role nor a role of any service (see GET /v2/roles)"
                    : $"role '{roleId}' is not a role of {service.Name} (see GET /v2/roles?service_name={service.Name})");
            }
            if (canonicalRoles.Contains(role.Crn))
                return TesseraError.BadRequest($"role '{role.DisplayName}' ({role.Crn}) is listed more than once", Roles);
            canonicalRoles.Add(role.Crn);
        }
        return null;
    }

    /// <summary>The attributes the service a side names defines for its policies (none when it names no known service).</summary>
    private IReadOnlyList<string> ServiceDefined(IReadOnlyList<AttributeConstraint> side) =>
        Value(side, AttributeNames.ServiceName) is { } name && catalog.FindService(name) is { } service ? service.Attributes : [];

    private static TesseraError? CheckAttributes(IReadOnlyList<AttributeConstraint> attributes, string side, IReadOnlyList<string> serviceDefined)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var attribute in attributes)
        {
            if (!AttributeNames.Authorization.Contains(attribute.Name) && !serviceDefined.Contains(attribute.Name))
            {
                return TesseraError.BadRequest(
                    $"{side} attribute '{attribute.Name}' is not supported here; use {string.Join(", ", AttributeNames.Authorization.Concat(serviceDefined))}");
            }
            if (!seen.Add(attribute.Name))
                return TesseraError.BadRequest($"{side} attribute '{attribute.Name}' appears more than once", $"{side}.{attribute.Name}");
            if (attribute.Operator == AttributeOperator.StringExists && attribute.Value is not ("true" or "false"))
                return TesseraError.BadRequest($"{side} attribute '{attribute.Name}': operator 'stringExists' takes the value true or false", $"{side}.{attribute.Name}");
            if (attribute.Operator.TakesList() && attribute.Values.Count is 0 or > PolicyLimits.MaxAnyOfValues)
                return TesseraError.BadRequest($"{side} attribute '{attribute.Name}': operator '{attribute.Operator.ToWire()}' takes a list of 1 to {PolicyLimits.MaxAnyOfValues} values", $"{side}.{attribute.Name}");
            foreach (var value in attribute.Operator.TakesList() ? attribute.Values : [attribute.Value])
            {
                if (value.Length is 0 or > PolicyLimits.MaxValueLength)
                    return TesseraError.BadRequest($"{side} attribute '{attribute.Name}' must have values of 1 to {PolicyLimits.MaxValueLength} characters", $"{side}.{attribute.Name}");
            }
            if (attribute.Operator != AttributeOperator.StringEquals && attribute.Name is AttributeNames.AccountId or AttributeNames.ServiceName)
                return TesseraError.BadRequest($"{side} attribute '{attribute.Name}' must use 'stringEquals': the account and service of an authorization are exact", $"{side}.{attribute.Name}");
        }
        return null;
    }

    /// <summary>A v2 rule: a pattern IBM defines, and conditions on the time of the decision whose values parse.</summary>
    private static TesseraError? CheckRule(PolicyDraft draft)
    {
        if (draft.Rule is null)
        {
            return draft.Pattern is null ? null : TesseraError.BadRequest("pattern is set but rule is not: a pattern names the kind of its rule");
        }
        if (draft.Pattern is null || !PolicyRule.Patterns.Contains(draft.Pattern))
            return TesseraError.BadRequest($"a rule needs its pattern, one of {string.Join(", ", PolicyRule.Patterns)}");
        if (draft.Rule.Depth > 2)
            return TesseraError.BadRequest("rule conditions nest at most one level deep (a rule of conditions, each of them one condition or one list of conditions)");
        return CheckCondition(draft.Rule, "rule");
    }

    private static TesseraError? CheckCondition(PolicyRule rule, string path)
    {
        if (rule is RuleCombination combination)
        {
            if (combination.Conditions.Count is 0 or > PolicyLimits.MaxRuleConditions)
                return TesseraError.BadRequest($"{path}.conditions must hold 1 to {PolicyLimits.MaxRuleConditions} conditions");
            for (var i = 0; i < combination.Conditions.Count; i++)
            {
                if (CheckCondition(combination.Conditions[i], $"{path}.conditions[{i}]") is { } error)
                    return error;
            }
            return null;
        }
        var condition = (RuleCondition)rule;
        var op = condition.Operator;
        var expectedKey = op.IsTime() ? PolicyRule.CurrentTime : op.IsDateTime() ? PolicyRule.CurrentDateTime : PolicyRule.DayOfWeek;
        // IBM's own examples compare current_time with the dateTime operators too; the operator says what is compared.
        if (condition.Key != expectedKey && !(op.IsDateTime() && condition.Key == PolicyRule.CurrentTime))
            return TesseraError.BadRequest($"{path}.key must be '{expectedKey}' for operator '{op.ToWire()}', not '{condition.Key}'");
        if (condition.ValueIsList != (op == RuleOperator.DayOfWeekAnyOf) || condition.Values.Count is 0 or > 7)
            return TesseraError.BadRequest($"{path}.value: operator '{op.ToWire()}' takes {(op == RuleOperator.DayOfWeekAnyOf ? "a list of 1 to 7 days" : "one value")}");
        foreach (var value in condition.Values)
        {
            var valid = op.IsTime() ? RuleOperators.TryParseTime(value, out _, out _)
                : op.IsDateTime() ? RuleOperators.TryParseDateTime(value, out _)
                : RuleOperators.TryParseDay(value, out _, out _);
            if (!valid)
            {
                var expected = op.IsTime() ? "a time of day with its offset, such as 09:00:00+00:00"
                    : op.IsDateTime() ? "a date and time with its offset, such as 2026-12-23T00:00:00+00:00"
                    : "a day of the week from 1 (Monday) to 7 (Sunday), optionally with its offset, such as 1+00:00";
                return TesseraError.BadRequest($"{path}.value '{value}' is not {expected}");
            }
        }
        return null;
    }

    // R5: a side is scoped to all instances, one resource group, or one instance (optionally narrowed to a resource type and resource).
    private static TesseraError? CheckScope(IReadOnlyList<AttributeConstraint> attributes, string side, string serviceName, IReadOnlyList<string> allowedTypes)
    {
        var instance = Value(attributes, AttributeNames.ServiceInstance);
        if (instance is not null && Value(attributes, AttributeNames.ResourceGroupId) is not null)
            return TesseraError.BadRequest($"{side} may name either 'serviceInstance' or 'resourceGroupId', not both", $"{side}.{AttributeNames.ServiceInstance}");

        // An instance is usually named by its GUID, but IBM's docs also put its CRN there; a CRN must be well-formed and of this service.
        if (instance is not null && instance.StartsWith("crn:", StringComparison.Ordinal))
        {
            if (!Crn.TryParse(instance, out var crn, out var crnError))
                return TesseraError.BadRequest($"{side} serviceInstance: {crnError}", $"{side}.{AttributeNames.ServiceInstance}");
            if (crn.ServiceName != serviceName)
                return TesseraError.BadRequest($"{side} serviceInstance '{instance}' is an instance of {crn.ServiceName}, not of {serviceName}", $"{side}.{AttributeNames.ServiceInstance}");
        }

        var resourceType = Value(attributes, AttributeNames.ResourceType);
        if (Value(attributes, AttributeNames.Resource) is not null && resourceType is null)
            return TesseraError.BadRequest($"{side} attribute 'resource' needs 'resourceType' to say what kind of resource it names", $"{side}.{AttributeNames.ResourceType}");
        if (resourceType is not null && !allowedTypes.Contains(resourceType))
        {
            var valid = allowedTypes.Count == 0 ? "none" : string.Join(", ", allowedTypes);
            return TesseraError.BadRequest($"{side} resourceType '{resourceType}' is not allowed here; valid resource types: {valid}", $"{side}.{AttributeNames.ResourceType}");
        }
        return null;
    }

    private static string? Value(IReadOnlyList<AttributeConstraint> attributes, string name)
    {
        foreach (var attribute in attributes)
        {
            if (attribute.Name == name)
                return attribute.Value;
        }
        return null;
    }
}
