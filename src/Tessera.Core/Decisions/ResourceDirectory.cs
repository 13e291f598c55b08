using System.Collections.Concurrent;
using System.Collections.Immutable;
using Tessera.Model;
using Tessera.Storage;

namespace Tessera.Decisions;

/// <summary>
/// What Tessera knows about the things a decision names, kept in memory beside the decision index and following the
/// store the same way: every active service instance (so a decision takes an instance's resource group from its record,
/// never from the caller) and every identity's access groups. Reads take no lock and allocate nothing.
/// </summary>
public sealed class ResourceDirectory : IChangeSink
{
    private readonly ConcurrentDictionary<string, ServiceInstance> _instances = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ImmutableArray<string>> _groupsByMember = new(StringComparer.Ordinal);
    private readonly Lock _writeLock = new();
    // Read on every decision: when no instance is registered at all, completing a request costs no lookup.
    private int _instanceCount;

    public void Load(IEnumerable<ServiceInstance> activeInstances, IEnumerable<GroupMembership> memberships)
    {
        lock (_writeLock)
        {
            foreach (var instance in activeInstances)
                _instances[instance.Guid] = instance;
            Volatile.Write(ref _instanceCount, _instances.Count);
            foreach (var membership in memberships)
                Apply(membership);
        }
    }

    public void Apply(ChangeSet changes)
    {
        lock (_writeLock)
        {
            foreach (var instance in changes.Instances)
            {
                if (instance.Removed)
                    _instances.TryRemove(instance.Guid, out _);
                else
                    _instances[instance.Guid] = instance;
            }
            Volatile.Write(ref _instanceCount, _instances.Count);
            foreach (var membership in changes.Memberships)
                Apply(membership);
        }
    }

    /// <summary>The access groups an identity is a member of.</summary>
    public ImmutableArray<string> GroupsOf(string iamId) => _groupsByMember.GetValueOrDefault(iamId, []);

    /// <summary>
    /// Completes one side of a decision request with what the directory knows: a registered instance's resource group
    /// and region replace whatever the request said. An instance named with another account or service than its own is
    /// not that instance, and is left as the request described it.
    /// </summary>
    public Attributes Complete(in Attributes side)
    {
        if (side.ServiceInstance is null || Volatile.Read(ref _instanceCount) == 0 || !_instances.TryGetValue(side.ServiceInstance, out var instance)
            || (side.AccountId is not null && side.AccountId != instance.AccountId)
            || (side.ServiceName is not null && side.ServiceName != instance.ServiceName))
        {
            return side;
        }
        return side with
        {
            AccountId = instance.AccountId,
            ServiceName = instance.ServiceName,
            Region = instance.Region,
            ResourceGroupId = instance.ResourceGroupId,
        };
    }

    private void Apply(GroupMembership membership)
    {
        var groups = GroupsOf(membership.IamId);
        groups = membership.Removed ? groups.Remove(membership.GroupId) : groups.Contains(membership.GroupId) ? groups : groups.Add(membership.GroupId);
        if (groups.IsEmpty)
            _groupsByMember.TryRemove(membership.IamId, out _);
        else
            _groupsByMember[membership.IamId] = groups;
    }
}
