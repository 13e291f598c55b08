using Tessera.Audit;
using Tessera.Errors;
using Tessera.Model;
using Tessera.Policies;
using Tessera.Storage;

namespace Tessera.Management;

// Policies (access and authorization), under R3, R6, R7 and R10.
public sealed partial class RuleBook
{
    /// <summary>The IBM actions that guard policies (on the policy's resource).</summary>
    private static class PolicyActions
    {
        public const string Read = "iam.policy.read";
        public const string Create = "iam.policy.create";
        public const string Update = "iam.policy.update";
        public const string Delete = "iam.policy.delete";
        public const string CreateDelegated = "iam.delegationPolicy.create";
    }

    public async ValueTask<Outcome<Policy>> CreatePolicyAsync(CallContext call, PolicyDraft draft, CancellationToken cancellationToken)
    {
        var (policy, refusal) = await PrepareCreateAsync(call, draft, cancellationToken);
        if (refusal is not null)
            return Done(call, "policy.create", (Outcome<Policy>)refusal);
        var result = await store.CreatePolicyAsync(policy!, PolicyEvent(call, "create", policy!, 201), cancellationToken);
        return Done(call, "policy.create", result.Status == WriteStatus.Ok ? Outcome.Created(result.Value!) : PolicyWriteFailure(result, policy!.Id));
    }

    /// <summary>The most policies one <see cref="CreatePoliciesAsync"/> takes.</summary>
    public const int MaxPolicyBatch = 1000;

    /// <summary>
    /// Creates policies together, each under exactly the rules of <see cref="CreatePolicyAsync"/> (R3, R6, R7, R10), in one
    /// transaction at one revision with one event each: all of them, or — when one is refused — none, with the refusal
    /// naming the item (<c>policies[3]: …</c>).
    /// </summary>
    public async ValueTask<Outcome<IReadOnlyList<Policy>>> CreatePoliciesAsync(CallContext call, IReadOnlyList<PolicyDraft> drafts,
        CancellationToken cancellationToken)
    {
        if (drafts.Count is 0 or > MaxPolicyBatch)
            return Done(call, "policy.create", (Outcome<IReadOnlyList<Policy>>)Outcome.Invalid($"policies must hold 1 to {MaxPolicyBatch} policies", "policies"));
        var prepared = new List<(Policy Policy, AuditEvent Event)>(drafts.Count);
        for (var i = 0; i < drafts.Count; i++)
        {
            var (policy, refusal) = await PrepareCreateAsync(call, drafts[i], cancellationToken);
            if (refusal is not null)
                return Done(call, "policy.create", (Outcome<IReadOnlyList<Policy>>)AtItem(refusal, i));
            prepared.Add((policy!, PolicyEvent(call, "create", policy!, 201)));
        }
        var result = await store.CreatePoliciesAsync(prepared, cancellationToken);
        if (result.Succeeded)
            return Done(call, "policy.create", Outcome.Created(result.Written));
        var failure = PolicyWriteFailure(result.Failure!, prepared[result.FailedAt].Policy.Id);
        return Done(call, "policy.create", new Outcome<IReadOnlyList<Policy>>(failure.Kind, null,
            failure.Problem! with { Message = $"policies[{result.FailedAt}]: {failure.Problem.Message}" }));
    }

    private static Failure AtItem(Failure failure, int index) =>
        failure with { Problem = failure.Problem with { Message = $"policies[{index}]: {failure.Problem.Message}" } };

    /// <summary>A draft as the policy to store, once it is valid and the caller may create it; or why not (with its refusal recorded).</summary>
    private async ValueTask<(Policy? Policy, Failure? Refusal)> PrepareCreateAsync(CallContext call, PolicyDraft draft, CancellationToken cancellationToken)
    {
        if (!validator.TryValidate(draft, out var validated, out var error))
            return (null, Outcome.Invalid(error));

        var caller = call.Caller;
        var resource = AccessAuthority.ResourceOf(validated.Resource);
        string? delegator = null;
        if (!await authority.AllowsAsync(caller, PolicyActions.Create, resource, cancellationToken))
        {
            // A source service holding Authorization Delegator on the target may authorize its dependents there (R10).
            delegator = validated.Type == PolicyType.Authorization && caller.InstanceCrn is { } source
                        && validated.Subject.Any(a => a.Name == AttributeNames.AccountId && a.Value == caller.AccountId)
                        && await authority.AllowsAsync(caller, PolicyActions.CreateDelegated, resource, cancellationToken)
                ? source
                : null;
            if (delegator is null)
            {
                var refusal = Refuse(call, PolicyActions.Create, resource, AuditEvents.Policy(validated.AccountId, "new"), "this policy",
                    PolicyEventAction(PolicyActions.Create));
                return (null, At(refusal, "resource"));
            }
        }
        if (await CheckGrantAsync(caller, validated.AccountId, validated.Resource, validated.Roles, cancellationToken) is { } grantRefusal)
            return (null, At(grantRefusal, "roles"));

        var now = Now;
        var creator = delegator ?? caller.IamId;
        var policy = new Policy
        {
            Id = Ids.NewUuid(),
            Type = validated.Type,
            AccountId = validated.AccountId,
            Description = validated.Description,
            Subject = validated.Subject,
            Roles = validated.Roles,
            Resource = validated.Resource,
            Pattern = validated.Pattern,
            Rule = validated.Rule,
            CreatedAt = now,
            CreatedById = creator,
            LastModifiedAt = now,
            LastModifiedById = creator,
        };
        return (policy, null);
    }

    /// <summary>The policy, if it exists and the caller may view it; "not found" otherwise, alike for both.</summary>
    public ValueTask<Outcome<Policy>> GetPolicyAsync(CallContext call, string policyId, CancellationToken cancellationToken) =>
        GetPolicyAsync(call, policyId, withPermits: false, cancellationToken);

    /// <summary>The same, and with <paramref name="withPermits"/> its recorded permits too (IBM's <c>format=include_last_permit</c>).</summary>
    public async ValueTask<Outcome<Policy>> GetPolicyAsync(CallContext call, string policyId, bool withPermits, CancellationToken cancellationToken)
    {
        if (await FindVisiblePolicyAsync(call, policyId, cancellationToken) is not { } policy)
            return PolicyNotFound(policyId);
        return Outcome.Ok(withPermits ? policy with { Permits = await store.GetPermitsAsync(policy.Id, cancellationToken) } : policy);
    }

    /// <summary>
    /// A page of the policies the caller may view (R3): an owner sees everything; anyone else, the policies on resources
    /// where it holds iam.policy.read, and what it created as a delegator. Pages are filled, never silently cut short,
    /// and the store reads only the services where the caller holds the read action: a caller with no rights in the
    /// account gets its empty answer at once, whatever the account holds.
    /// </summary>
    public async ValueTask<Outcome<PolicyPage>> ListPoliciesAsync(CallContext call, PolicyQuery query, CancellationToken cancellationToken)
    {
        var caller = call.Caller;
        if (query.ServiceGroupId is not null)
            return Outcome.Ok(new PolicyPage([], null)); // see PolicyQuery.ServiceGroupId
        if (await authority.IsOwnerAsync(caller, query.AccountId, cancellationToken))
            return Outcome.Ok(await store.ListPoliciesAsync(query, cancellationToken));
        var scope = authority.PolicyScopeOf(caller, query.AccountId, PolicyActions.Read);
        if (scope is { TargetServices.Count: 0, CreatedById: null })
            return Outcome.Ok(new PolicyPage([], null));

        query = query with { Within = scope };
        var visible = new List<Policy>(Math.Min(query.Limit, 100));
        while (true)
        {
            var page = await store.ListPoliciesAsync(query, cancellationToken);
            foreach (var policy in page.Policies)
            {
                if (!await MayAsync(caller, PolicyActions.Read, policy, cancellationToken))
                    continue;
                if (visible.Count == query.Limit)
                    return Outcome.Ok(new PolicyPage(visible, PageCursor.After(visible[^1], query.Sort)));
                visible.Add(policy);
            }
            if (page.Next is null)
                return Outcome.Ok(new PolicyPage(visible, null));
            query = query with { After = page.Next };
        }
    }

    /// <summary>Replaces a policy's content (If-Match <paramref name="etag"/>); its type and account stay.</summary>
    public async ValueTask<Outcome<Policy>> ReplacePolicyAsync(CallContext call, string policyId, string? etag, PolicyDraft draft, CancellationToken cancellationToken)
    {
        const string Operation = "policy.update";
        var caller = call.Caller;
        var (current, refusal) = await FindForUpdateAsync(call, policyId, etag, cancellationToken);
        if (current is null)
            return Done<Policy>(call, Operation, refusal!);
        if (draft.IsV1 && current.UsesV2Only)
        {
            return Done(call, Operation, (Outcome<Policy>)Outcome.Invalid(
                "this policy has conditions the v1 view cannot express (a rule, stringExists or an any-of operator): replace it through PUT /v2/policies/" + policyId));
        }
        if (!validator.TryValidate(draft, out var validated, out var error))
            return Done(call, Operation, (Outcome<Policy>)Outcome.Invalid(error));
        if (validated.Type != current.Type)
            return Done(call, Operation, (Outcome<Policy>)Outcome.Invalid($"a policy's type cannot change (it is '{current.Type.ToWire()}')", "type"));
        if (validated.AccountId != current.AccountId)
        {
            return Done(call, Operation, (Outcome<Policy>)Outcome.Invalid(
                $"a policy cannot move to another account: resources[0] accountId must stay '{current.AccountId}'", "resources[0].accountId"));
        }
        var resource = AccessAuthority.ResourceOf(validated.Resource);
        if (!await authority.AllowsAsync(caller, PolicyActions.Update, resource, cancellationToken))
        {
            return Done(call, Operation, (Outcome<Policy>)Refuse(call, PolicyActions.Update, resource,
                AuditEvents.Policy(current.AccountId, current.Id), "this policy", PolicyEventAction(PolicyActions.Update)));
        }
        if (await CheckGrantAsync(caller, validated.AccountId, validated.Resource, validated.Roles, cancellationToken) is { } grantRefusal)
            return Done(call, Operation, (Outcome<Policy>)grantRefusal);

        var replacement = current with
        {
            Description = validated.Description,
            Subject = validated.Subject,
            Roles = validated.Roles,
            Resource = validated.Resource,
            Pattern = validated.Pattern,
            Rule = validated.Rule,
            LastModifiedAt = Now,
            LastModifiedById = caller.IamId,
        };
        var result = await store.ReplacePolicyAsync(replacement, etag!, PolicyEvent(call, "update", replacement, 200), cancellationToken);
        return Done(call, Operation, result.Status == WriteStatus.Ok ? Outcome.Ok(result.Value!) : PolicyWriteFailure(result, policyId));
    }

    /// <summary>Deletes (soft) or restores a policy (If-Match <paramref name="etag"/>). Restoring grants again, so it needs what granting needs.</summary>
    public async ValueTask<Outcome<Policy>> SetPolicyStateAsync(CallContext call, string policyId, string? etag, PolicyState state, CancellationToken cancellationToken)
    {
        const string Operation = "policy.state";
        var caller = call.Caller;
        var (current, refusal) = await FindForUpdateAsync(call, policyId, etag, cancellationToken);
        if (current is null)
            return Done<Policy>(call, Operation, refusal!);
        if (state == PolicyState.Active && current.State == PolicyState.Deleted
            && await CheckGrantAsync(caller, current.AccountId, current.Resource, current.Roles, cancellationToken) is { } grantRefusal)
        {
            return Done(call, Operation, (Outcome<Policy>)grantRefusal);
        }
        var result = await WriteStateAsync(call, current, state, etag, 200, cancellationToken);
        return Done(call, Operation, result.Status == WriteStatus.Ok ? Outcome.Ok(result.Value!) : PolicyWriteFailure(result, policyId));
    }

    public async ValueTask<Outcome<Policy>> DeletePolicyAsync(CallContext call, string policyId, CancellationToken cancellationToken)
    {
        const string Operation = "policy.delete";
        var current = await FindVisiblePolicyAsync(call, policyId, cancellationToken);
        if (current is null || current.State == PolicyState.Deleted)
            return Done<Policy>(call, Operation, PolicyNotFound(policyId));
        if (!await MayAsync(call.Caller, PolicyActions.Delete, current, cancellationToken))
            return Done(call, Operation, (Outcome<Policy>)RefusePolicy(call, PolicyActions.Delete, current));
        var result = await WriteStateAsync(call, current, PolicyState.Deleted, null, 204, cancellationToken);
        return Done(call, Operation, result.Status == WriteStatus.Ok ? Outcome.Ok(result.Value!) : PolicyWriteFailure(result, policyId));
    }

    /// <summary>The policy a change applies to: visible to the caller, updatable by it, and named with its current ETag.</summary>
    private async ValueTask<(Policy? Current, Failure? Refusal)> FindForUpdateAsync(CallContext call, string policyId, string? etag,
        CancellationToken cancellationToken)
    {
        var current = await FindVisiblePolicyAsync(call, policyId, cancellationToken);
        if (current is null)
            return (null, PolicyNotFound(policyId));
        if (!await MayAsync(call.Caller, PolicyActions.Update, current, cancellationToken))
            return (null, RefusePolicy(call, PolicyActions.Update, current));
        return etag is null ? (null, Outcome.PreconditionRequired("policy")) : (current, null);
    }

    private async ValueTask<WriteResult<Policy>> WriteStateAsync(CallContext call, Policy current, PolicyState state, string? etag, int status,
        CancellationToken cancellationToken)
    {
        var verb = state == PolicyState.Active ? "restore" : "delete";
        var auditEvent = PolicyEvent(call, verb, current with { State = state }, status);
        return await store.SetPolicyStateAsync(current.Id, state, etag, call.Caller.IamId, Now, auditEvent, cancellationToken);
    }

    /// <summary>
    /// The policy, if it exists and the caller may view it; null otherwise, so that both cases answer alike. A policy
    /// that exists but is hidden from the caller is a refused attempt, recorded in the owning account's trail.
    /// </summary>
    private async ValueTask<Policy?> FindVisiblePolicyAsync(CallContext call, string policyId, CancellationToken cancellationToken)
    {
        if (policyId.Length > 64 || await store.GetPolicyAsync(policyId, cancellationToken) is not { } policy)
            return null;
        if (await MayAsync(call.Caller, PolicyActions.Read, policy, cancellationToken))
            return policy;
        refusals.Record(call, policy.AccountId, PolicyEventAction(PolicyActions.Read), AuditEvents.Policy(policy.AccountId, policy.Id));
        return null;
    }

    /// <summary>R3: the caller holds the action on the policy's resource, or created the policy itself as a delegator.</summary>
    private async ValueTask<bool> MayAsync(Caller caller, string action, Policy policy, CancellationToken cancellationToken) =>
        (caller.InstanceCrn is { } source && policy.CreatedById == source)
        || await authority.AllowsAsync(caller, action, AccessAuthority.ResourceOf(policy.Resource), cancellationToken);

    private Failure RefusePolicy(CallContext call, string action, Policy policy) =>
        Refuse(call, action, AccessAuthority.ResourceOf(policy.Resource), AuditEvents.Policy(policy.AccountId, policy.Id), "this policy",
            PolicyEventAction(action));

    /// <summary>R3: a caller grants only what it holds itself on the target scope; the refusal lists what it lacks.</summary>
    private async ValueTask<Failure?> CheckGrantAsync(Caller caller, string accountId, IReadOnlyList<AttributeConstraint> resourceConstraints,
        IReadOnlyList<string> roles, CancellationToken cancellationToken)
    {
        var resource = AccessAuthority.ResourceOf(resourceConstraints);
        var target = resource.ServiceName ?? string.Empty;
        var missing = await authority.MissingActionsAsync(caller, target, roles, resource, cancellationToken);
        if (missing.Count == 0)
            return null;
        var listed = $"{string.Join(", ", missing.Take(5))}{(missing.Count > 5 ? $" and {missing.Count - 5} more" : string.Empty)}";
        return Outcome.Refused(
            $"You can grant only access you hold yourself on {(target.Length == 0 ? "every service" : target)} in account {accountId}; you lack {listed} there.",
            missing);
    }

    private static Failure PolicyNotFound(string policyId) =>
        new(OutcomeKind.NotFound, new Problem(ErrorCodes.PolicyNotFound, $"Policy with Id {policyId} not found."));

    private static Outcome<Policy> PolicyWriteFailure(WriteResult<Policy> result, string policyId) => result.Status switch
    {
        WriteStatus.Conflict => Outcome.ConflictWith(result.Value!,
            $"Failed to create policy. A policy with the same subject, roles and resource already exists: {result.Value!.Id}.", ErrorCodes.PolicyConflict),
        WriteStatus.PreconditionFailed => Outcome.PreconditionFailed($"policy {policyId}"),
        WriteStatus.InvalidReference => Outcome.Invalid(result.Problem!, result.ProblemField),
        _ => PolicyNotFound(policyId),
    };

    /// <summary>A refusal as a form shows it: beside the field it concerns (the target for R3, the roles for what the caller lacks).</summary>
    private static Failure At(Failure failure, string field) => failure with { Problem = failure.Problem with { Field = field } };

    private static string PolicyEventAction(string iamAction) => "iam-am.policy." + iamAction[(iamAction.LastIndexOf('.') + 1)..];

    private AuditEvent PolicyEvent(CallContext call, string verb, Policy policy, int status, string? cause = null) =>
        AuditEvents.For(call, Now, policy.AccountId, $"iam-am.policy.{(verb == "restore" ? "update" : verb)}",
            AuditEvents.Policy(policy.AccountId, policy.Id), status, $"{verb} policy {policy.Id}{(cause is null ? string.Empty : $" because {cause}")}",
            PolicyEventBody.Of(policy, catalog));
}
