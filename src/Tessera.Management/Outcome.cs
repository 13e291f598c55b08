using Tessera.Errors;

namespace Tessera.Management;

/// <summary>What became of a management operation; surfaces map each kind to their own answer (HTTP: a status code).</summary>
public enum OutcomeKind
{
    /// <summary>Done; <see cref="Outcome{T}.Value"/> holds the result.</summary>
    Ok,
    /// <summary>Created; <see cref="Outcome{T}.Value"/> holds the new thing.</summary>
    Created,
    /// <summary>It does not exist, or the caller may not even see it: the two are answered alike (R3).</summary>
    NotFound,
    /// <summary>The caller may see it but lacks what the operation needs; the problem says what that is.</summary>
    Refused,
    /// <summary>An identical or same-named thing exists; for policies <see cref="Outcome{T}.Value"/> is the existing one (R6).</summary>
    Conflict,
    /// <summary>The request breaks a rule; the problem names the field where there is one.</summary>
    Invalid,
    /// <summary>A change needs the current version (If-Match) and none was given.</summary>
    PreconditionRequired,
    /// <summary>The version given is not the current one.</summary>
    PreconditionFailed,
    /// <summary>The thing is locked against changes.</summary>
    Locked,
    /// <summary>The thing still holds others (a resource group with instances).</summary>
    NotEmpty,
}

/// <summary>Why an operation did not succeed: an IBM error code, a message that says what to do, and where it applies.</summary>
/// <param name="Code">IBM's error code (<c>invalid_body</c>, <c>policy_not_found</c>, …).</param>
/// <param name="Message">What is wrong, and what to do about it.</param>
/// <param name="Field">The request field the problem concerns (<c>roles</c>, <c>resources[0].serviceInstance</c>), when there is one.</param>
/// <param name="Lacking">For a refusal, what the caller lacks: the actions, and the role and scope that would grant them.</param>
public sealed record Problem(string Code, string Message, string? Field = null, IReadOnlyList<string>? Lacking = null);

/// <summary>The typed result of a rule-book operation: a kind, the value on success (or the conflicting thing), a problem otherwise.</summary>
public sealed record Outcome<T>(OutcomeKind Kind, T? Value, Problem? Problem)
{
    public bool Succeeded => Kind is OutcomeKind.Ok or OutcomeKind.Created;

    public static implicit operator Outcome<T>(Failure failure) => new(failure.Kind, default, failure.Problem);
}

/// <summary>An outcome without a value, convertible to any <see cref="Outcome{T}"/>.</summary>
public sealed record Failure(OutcomeKind Kind, Problem Problem);

/// <summary>Builders for outcomes, so that operations read as what they decide.</summary>
public static class Outcome
{
    public static Outcome<T> Ok<T>(T value) => new(OutcomeKind.Ok, value, null);

    public static Outcome<T> Created<T>(T value) => new(OutcomeKind.Created, value, null);

    public static Failure NotFound(string what, string code = ErrorCodes.NotFound) => new(OutcomeKind.NotFound, new Problem(code, $"{what} not found."));

    public static Failure Refused(string message, IReadOnlyList<string>? lacking = null) =>
        new(OutcomeKind.Refused, new Problem(ErrorCodes.InsufficientPermissions, message, Lacking: lacking));

    public static Failure Invalid(string message, string? field = null, string code = ErrorCodes.InvalidBody) =>
        new(OutcomeKind.Invalid, new Problem(code, message, field));

    public static Failure Invalid(TesseraError error) => new(OutcomeKind.Invalid, new Problem(error.Code, error.Message, error.Field));

    public static Failure Conflict(string message, string code = ErrorCodes.Conflict) => new(OutcomeKind.Conflict, new Problem(code, message));

    /// <summary>A conflict that carries the existing thing (R6: the policy that already grants the same).</summary>
    public static Outcome<T> ConflictWith<T>(T existing, string message, string code) => new(OutcomeKind.Conflict, existing, new Problem(code, message));

    public static Failure PreconditionRequired(string what) =>
        new(OutcomeKind.PreconditionRequired, new Problem(ErrorCodes.PreconditionRequired,
            $"The If-Match header is required: send the ETag of the {what} you are changing."));

    public static Failure PreconditionFailed(string what) =>
        new(OutcomeKind.PreconditionFailed, new Problem(ErrorCodes.PreconditionFailed,
            $"The If-Match value is not the current version of the {what}; get it again and retry with its ETag."));

    public static Failure Locked(string id) =>
        new(OutcomeKind.Locked, new Problem(ErrorCodes.Locked, $"{id} is locked; unlock it before changing or deleting it."));

    public static Failure NotEmpty(string message) => new(OutcomeKind.NotEmpty, new Problem(ErrorCodes.NotEmpty, message));
}
