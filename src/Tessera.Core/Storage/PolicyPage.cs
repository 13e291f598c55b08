using Tessera.Policies;

namespace Tessera.Storage;

/// <summary>One page of policies; <see cref="Next"/> is null on the last page.</summary>
public sealed record PolicyPage(IReadOnlyList<Policy> Policies, PageCursor? Next);
