namespace Tessera.Decisions;

/// <summary>
/// Why a decision came out as it did: the decision, the closest policies with what did not match in each, and the
/// index revision both are of.
/// </summary>
public sealed record Explanation(Decision Decision, IReadOnlyList<PolicyExplanation> ClosestPolicies, long Revision);

/// <param name="PolicyId">The policy.</param>
/// <param name="Mismatches">Empty when the policy permits the request.</param>
public sealed record PolicyExplanation(string PolicyId, IReadOnlyList<string> Mismatches);
