using Tessera.Server.Identity;
using Tessera.Storage;

namespace Tessera.Server.Policies;

/// <summary>
/// Who may manage an account's policies. Until access policies exist, only the account's owner may; anyone else
/// is treated exactly as if the account or policy did not exist, so nothing about it leaks.
/// </summary>
internal static class AccountAuthority
{
    public static async ValueTask<bool> CanManageAsync(ITesseraStore store, Caller caller, string accountId, CancellationToken cancellationToken)
    {
        if (caller.AccountId != accountId)
            return false;
        var account = await store.GetAccountAsync(accountId, cancellationToken);
        return account is not null && account.OwnerIamId == caller.IamId;
    }
}
