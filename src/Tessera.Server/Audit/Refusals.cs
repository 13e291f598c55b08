using Tessera.Audit;
using Tessera.Server.Identity;
using Tessera.Storage;

namespace Tessera.Server.Audit;

/// <summary>
/// Refused attempts are part of the trail (R8): each one is recorded, severity <c>critical</c>, in the account it was
/// aimed at (when that account exists), and the caller gets the answer the endpoint chose, which for things the caller may
/// not even see is the same 404 a missing thing gets.
/// </summary>
internal static class Refusals
{
    public static async ValueTask<IResult> RecordAsync(HttpContext context, Caller caller, ITesseraStore store, string accountId, string action,
        AuditTarget target, IResult answer, CancellationToken cancellationToken)
    {
        if (await store.GetAccountAsync(accountId, cancellationToken) is not null)
            await store.AppendEventAsync(AuditEvents.Refusal(context, caller, accountId, action, target, StatusCodes.Status403Forbidden), cancellationToken);
        return answer;
    }
}
