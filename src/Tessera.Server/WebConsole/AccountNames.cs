using Tessera.Management;
using Tessera.Model;
using Tessera.Storage;

namespace Tessera.Server.WebConsole;

/// <summary>
/// The names a page shows instead of ids: the account's instances, resource groups, users and service IDs that the
/// caller may see, read once per request through the rule book. What it does not know is shown by its id.
/// </summary>
public sealed class AccountNames
{
    /// <summary>Enough instances for any account a person manages by hand; beyond them a name is shown as its GUID.</summary>
    private const int MaxInstances = 1000;

    private readonly Dictionary<string, ServiceInstance> _instances = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _groups = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _identities = new(StringComparer.Ordinal);

    public IReadOnlyList<ServiceInstance> Instances { get; private set; } = [];

    public IReadOnlyList<ResourceGroup> Groups { get; private set; } = [];

    public static async Task<AccountNames> LoadAsync(RuleBook rules, CallContext call, CancellationToken cancellationToken)
    {
        var accountId = call.Caller.AccountId;
        var names = new AccountNames();
        var (instances, _) = await rules.ListInstancesAsync(call, new InstanceQuery { AccountId = accountId, Limit = MaxInstances }, cancellationToken);
        names.Instances = instances;
        foreach (var instance in instances)
            names._instances[instance.Guid] = instance;
        names.Groups = await rules.ListResourceGroupsAsync(call, accountId, null, false, cancellationToken);
        foreach (var group in names.Groups)
            names._groups[group.Id] = group.Name;
        foreach (var identity in await rules.ListUsersAsync(call, accountId, cancellationToken))
            names._identities[identity.IamId] = identity.Name;
        foreach (var identity in await rules.ListServiceIdsAsync(call, accountId, null, cancellationToken))
            names._identities[identity.IamId] = identity.Name;
        return names;
    }

    /// <summary>An instance's name, from its GUID or CRN; the value itself when the instance is not one the caller can see here.</summary>
    public string Instance(string guidOrCrn) =>
        _instances.TryGetValue(Crn.InstanceGuid(guidOrCrn), out var instance) ? instance.Name : guidOrCrn;

    public string Group(string id) => _groups.GetValueOrDefault(id, id);

    /// <summary>Who an iam_id is: a user's or service ID's name, or the id (a CRN for a service that created a policy by delegation).</summary>
    public string Identity(string iamId) => _identities.GetValueOrDefault(iamId, iamId);

    public IEnumerable<ServiceInstance> InstancesOf(string? serviceName) =>
        serviceName is null ? [] : Instances.Where(i => i.ServiceName == serviceName).OrderBy(i => i.Name, StringComparer.OrdinalIgnoreCase);
}
