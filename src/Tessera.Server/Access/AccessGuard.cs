using Tessera.Audit;
using Tessera.Decisions;
using Tessera.Server.Audit;
using Tessera.Server.Http;
using Tessera.Server.Identity;
using Tessera.Storage;

namespace Tessera.Server.Access;

/// <summary>
/// The one way management endpoints check a caller against an existing thing. A caller who may not even read it gets
/// the same 404 as for a thing that does not exist (it learns nothing); one who may read it but not do the action gets
/// a 403. Either way the attempt is recorded in the owning account's trail.
/// </summary>
internal static class AccessGuard
{
    public static async ValueTask<IResult?> CheckAsync(HttpContext context, Caller caller, ITesseraStore store, AccessAuthority authority,
        string action, string readAction, Attributes resource, AuditTarget target, string what, CancellationToken cancellationToken)
    {
        if (await authority.AllowsAsync(caller, action, resource, cancellationToken))
            return null;
        var visible = action != readAction && await authority.AllowsAsync(caller, readAction, resource, cancellationToken);
        var answer = visible
            ? ApiResults.Forbidden($"You are not allowed to {action[(action.LastIndexOf('.') + 1)..]} {what}.")
            : ApiResults.NotFound(what);
        return await Refusals.RecordAsync(context, caller, store, resource.AccountId!, action, target, answer, cancellationToken);
    }
}
