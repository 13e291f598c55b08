using Tessera.Policies;

namespace Tessera.Storage;

/// <summary>The outcome of a policy write: on <see cref="WriteStatus.Ok"/> the stored policy, on <see cref="WriteStatus.Conflict"/> the existing duplicate.</summary>
public sealed record PolicyWriteResult(WriteStatus Status, Policy? Policy)
{
    public static readonly PolicyWriteResult NotFound = new(WriteStatus.NotFound, null);
    public static readonly PolicyWriteResult PreconditionFailed = new(WriteStatus.PreconditionFailed, null);
}
