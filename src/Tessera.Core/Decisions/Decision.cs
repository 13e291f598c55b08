namespace Tessera.Decisions;

public enum DenyReason
{
    None,
    /// <summary>No active policy names the resource's account and service.</summary>
    NoPolicyForTarget,
    /// <summary>Policies name the target, but none matches both the subject and the resource.</summary>
    NoMatchingScope,
    /// <summary>A policy matches subject and resource, but none of its roles carries the action.</summary>
    ActionNotGranted,
    /// <summary>No role of the catalog carries the action: it is misspelled or of a service the catalog does not know.</summary>
    UnknownAction,
    /// <summary>A policy matches subject, resource and action, but its time-based conditions do not hold now.</summary>
    OutsideItsConditions,
}

/// <summary>
/// The answer to one check. A value type that points at the permitting policy, so that answering allocates nothing.
/// </summary>
public readonly record struct Decision(bool Permit, string? PolicyId, DenyReason Reason)
{
    public static Decision Deny(DenyReason reason) => new(false, null, reason);

    public string ReasonText => Reason switch
    {
        DenyReason.None => "permitted",
        DenyReason.NoPolicyForTarget => "no authorization names the resource's account and service",
        DenyReason.NoMatchingScope => "no authorization matches both the subject and the resource",
        DenyReason.ActionNotGranted => "an authorization matches the subject and the resource, but none of its roles grants the action",
        DenyReason.UnknownAction => "no role of the catalog carries the action",
        DenyReason.OutsideItsConditions => "an authorization grants the action, but not at this time (its conditions do not hold)",
        _ => "denied",
    };
}
