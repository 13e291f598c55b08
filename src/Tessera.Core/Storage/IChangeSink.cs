using Tessera.Model;
using Tessera.Policies;

namespace Tessera.Storage;

/// <summary>
/// Told about every committed change, in commit order, before the write returns to its caller. The decision index and
/// the resource directory are sinks: that is what makes a node read-your-writes (R9).
/// </summary>
public interface IChangeSink
{
    void Apply(ChangeSet changes);
}

/// <summary>What one committed transaction changed that in-memory views follow, each row in its new state.</summary>
public sealed record ChangeSet(
    long Revision,
    IReadOnlyList<Policy> Policies,
    IReadOnlyList<ServiceInstance> Instances,
    IReadOnlyList<GroupMembership> Memberships,
    IReadOnlyList<CredentialChange> Credentials)
{
    public static ChangeSet Empty(long revision) => new(revision, [], [], [], []);
}
