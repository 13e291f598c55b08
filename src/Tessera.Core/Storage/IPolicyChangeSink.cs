using Tessera.Policies;

namespace Tessera.Storage;

/// <summary>
/// Told about every committed policy change, in commit order, before the write returns to its caller. The decision
/// index is one: that is what makes a node read-your-writes (R9).
/// </summary>
public interface IPolicyChangeSink
{
    /// <summary>The policies changed by the commit of <paramref name="revision"/>, in their new state.</summary>
    void Apply(long revision, IReadOnlyList<Policy> changed);
}
