using System.Text.Json.Nodes;
using Tessera.Audit;
using Tessera.Model;
using Tessera.Security;

namespace Tessera.Storage;

/// <summary>Everything an account starts with: its owner, its <c>Default</c> resource group and the owner's first API key.</summary>
public sealed record NewAccount(Account Account, Identity Owner, ResourceGroup DefaultGroup, ApiKey OwnerKey)
{
    /// <summary>
    /// A new account with fresh ids, an owner user, a <c>Default</c> resource group and an API key whose secret is
    /// <paramref name="ownerKeySecret"/> (only its hash is kept), plus the audit event that records the creation.
    /// </summary>
    public static (NewAccount Account, AuditEvent Event) Create(
        string name, string ownerName, string ownerKeySecret, AuditInitiator initiator, DateTimeOffset now, bool isOperator = false)
    {
        var accountId = Ids.NewHex32();
        var ownerIamId = "IBMid-" + Ids.NewHex32()[..10].ToUpperInvariant();
        var account = new NewAccount(
            new Account(accountId, name, ownerIamId, now, isOperator),
            new Identity(ownerIamId, accountId, IdentityKind.User, ownerName, now),
            new ResourceGroup(Ids.NewHex32(), accountId, "Default", IsDefault: true, now),
            new ApiKey("ApiKey-" + Ids.NewUuid(), ownerIamId, accountId, $"{ownerName} first key", ApiKeySecrets.Hash(ownerKeySecret), now));
        var auditEvent = new AuditEvent
        {
            Id = Ids.NewUuid(),
            AccountId = accountId,
            Action = "iam-identity.account.create",
            EventTime = now,
            Initiator = initiator,
            Target = new AuditTarget(Crn.Of("iam-identity", accountId, "account", accountId).ToString(), name, "iam-identity/account"),
            ReasonCode = 201,
            Message = $"IAM Identity: create account {accountId} with owner {ownerIamId}",
            RequestData = new JsonObject { ["name"] = name, ["owner"] = ownerName, ["owner_iam_id"] = ownerIamId },
        };
        return (account, auditEvent);
    }
}
