using Microsoft.AspNetCore.Http.HttpResults;
using Tessera.Management;
using Tessera.Server.Errors;

namespace Tessera.Server.Http;

/// <summary>
/// The one mapping from the rule book's outcomes to HTTP: each outcome kind has its status, each problem becomes IBM's
/// error envelope. Endpoints choose only what a success looks like.
/// </summary>
internal static class OutcomeResults
{
    /// <summary>The rule book's view of this request: its caller, and what the audit event records of it.</summary>
    public static CallContext Call(this HttpContext context) =>
        new(Caller.From(context.User), context.Request.Method, context.Request.Path.ToString(), TransactionIds.Get(context));

    public static Results<TSuccess, IbmError> Map<T, TSuccess>(this Outcome<T> outcome, Func<T, TSuccess> success)
        where TSuccess : IResult =>
        outcome.Succeeded ? success(outcome.Value!) : outcome.Problem!.ToError(outcome.Kind);

    public static IbmError ToError(this Failure failure) => failure.Problem.ToError(failure.Kind);

    public static IbmError ToError(this Problem problem, OutcomeKind kind) => ErrorResults.Create(StatusOf(kind), problem.Code, problem.Message);

    public static int StatusOf(OutcomeKind kind) => kind switch
    {
        OutcomeKind.Ok => StatusCodes.Status200OK,
        OutcomeKind.Created => StatusCodes.Status201Created,
        OutcomeKind.NotFound => StatusCodes.Status404NotFound,
        OutcomeKind.Refused => StatusCodes.Status403Forbidden,
        OutcomeKind.Conflict or OutcomeKind.Locked or OutcomeKind.NotEmpty => StatusCodes.Status409Conflict,
        OutcomeKind.Invalid => StatusCodes.Status400BadRequest,
        OutcomeKind.PreconditionRequired => StatusCodes.Status428PreconditionRequired,
        OutcomeKind.PreconditionFailed => StatusCodes.Status412PreconditionFailed,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };
}
