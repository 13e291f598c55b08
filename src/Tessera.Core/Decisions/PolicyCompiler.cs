using System.Collections.Concurrent;
using Tessera.Model;
using Tessera.Policies;

namespace Tessera.Decisions;

/// <summary>
/// Turns policies into the index's compiled form: constraints on attribute slots, the checks a bucket does not already
/// guarantee, and the action set of their roles (shared by every policy with the same roles on the same service, and
/// interned to dense action ids). Writer side only, under the index's write lock; the read path uses only
/// <see cref="Actions"/> to find a request's action id.
/// </summary>
internal sealed class PolicyCompiler(IRoleActions roleActions)
{
    private readonly ConcurrentDictionary<int, string> _actionNames = new();
    private readonly Dictionary<string, ActionSet> _actionSets = new(StringComparer.Ordinal);
    private readonly Dictionary<(string TargetService, string Role), ActionSet> _singleRoleSets = [];
    // Load only: one string instance per distinct value, so a million loaded policies share their account and service
    // names. Emptied after the load, so that later writes do not grow it forever.
    private readonly Dictionary<string, string> _strings = new(StringComparer.Ordinal);

    /// <summary>Every action name any compiled role carries, as dense ids.</summary>
    public StringIds Actions { get; } = new();

    public string ActionName(int id) => _actionNames[id];

    /// <summary>Forgets the load's shared strings.</summary>
    public void EndLoad()
    {
        _strings.Clear();
        _strings.TrimExcess();
    }

    /// <summary>
    /// Compiles <paramref name="policy"/> for the bucket of <paramref name="target"/>; with <paramref name="pool"/> (a load),
    /// its strings are shared with every other policy compiled until <see cref="EndLoad"/>.
    /// </summary>
    public CompiledPolicy Compile(Policy policy, (string Account, string Service, string? Instance) target, bool pool)
    {
        var subject = CompileSide(policy.Subject, pool, isSubject: true);
        var resource = CompileSide(policy.Resource, pool, isSubject: false);
        // The bucket guarantees what its key names (account, and the service and instance when there are ones); only
        // the rest is compared per check.
        var checks = new List<Constraint>(resource.Length + subject.Length);
        foreach (var constraint in resource)
        {
            var guaranteed = constraint.Operator == AttributeOperator.StringEquals && constraint.Slot switch
            {
                AttributeSlot.AccountId => true,
                AttributeSlot.ServiceName => target.Service != DecisionIndex.AnyService,
                AttributeSlot.ServiceInstance => target.Instance is not null,
                _ => false,
            };
            if (!guaranteed)
                checks.Add(constraint);
        }
        checks.AddRange(subject);
        return new CompiledPolicy(policy.Id, pool ? Pooled(policy.AccountId) : policy.AccountId, target,
            subject, resource, [.. checks], ActionSetOf(target.Service, policy.Roles), policy.Rule is null ? null : TimeRule.Compile(policy.Rule));
    }

    private Constraint[] CompileSide(IReadOnlyList<AttributeConstraint> attributes, bool pool, bool isSubject)
    {
        var constraints = new Constraint[attributes.Count];
        for (var i = 0; i < attributes.Count; i++)
        {
            var attribute = attributes[i];
            // A name the standard slots do not know is one the target service defines (validation admits no other).
            var serviceDefined = !AttributeSlots.TryFromName(attribute.Name, out var slot);
            if (serviceDefined)
                slot = AttributeSlot.ServiceDefined;
            var value = slot == AttributeSlot.ServiceInstance ? Crn.InstanceGuid(attribute.Value) : attribute.Value;
            var anyOf = attribute.Operator.TakesList()
                ? attribute.Values.Select(v => slot == AttributeSlot.ServiceInstance ? Crn.InstanceGuid(v) : v).ToArray()
                : null;
            constraints[i] = new Constraint(slot, attribute.Operator, pool ? Pooled(value) : value, isSubject, anyOf, serviceDefined ? attribute.Name : null);
        }
        return constraints;
    }

    /// <summary>The load's one copy of a value, made here (not taken from the parsed policy) so that it sits near its first user.</summary>
    private string Pooled(string value)
    {
        if (_strings.TryGetValue(value, out var pooled))
            return pooled;
        pooled = new string(value.AsSpan());
        _strings[pooled] = pooled;
        return pooled;
    }

    private ActionSet ActionSetOf(string targetService, IReadOnlyList<string> roles)
    {
        // Most policies have one role: look those up without building a key string (a million times during a load).
        var single = roles.Count == 1 ? (targetService, roles[0]) : default;
        if (roles.Count == 1 && _singleRoleSets.TryGetValue(single, out var singleSet))
            return singleSet;
        var key = targetService + "\n" + string.Join('\n', roles.Order(StringComparer.Ordinal));
        if (_actionSets.TryGetValue(key, out var set))
        {
            if (roles.Count == 1)
                _singleRoleSets[single] = set;
            return set;
        }
        var ids = new List<int>();
        foreach (var role in roles)
        {
            foreach (var action in roleActions.ActionsOf(role, targetService) ?? [])
            {
                var id = Actions.Intern(action);
                _actionNames.TryAdd(id, action);
                ids.Add(id);
            }
        }
        set = _actionSets[key] = ActionSet.Create(ids, [.. roles]);
        if (roles.Count == 1)
            _singleRoleSets[single] = set;
        return set;
    }
}
