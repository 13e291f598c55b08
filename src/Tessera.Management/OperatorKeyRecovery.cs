using System.Text.Json.Nodes;
using Tessera.Audit;
using Tessera.Model;
using Tessera.Security;
using Tessera.Storage;

namespace Tessera.Management;

/// <summary>
/// The way back in when the operator account owner's API key is lost: run on the machine, against the store, with no
/// token (access to the store is the authority). A new key is made for the owner, shown once, and recorded in the
/// operator account's trail as made by offline recovery; the owner's other keys are left as they are.
/// </summary>
public sealed class OperatorKeyRecovery(ITesseraStore store, TimeProvider time)
{
    public const string Initiator = "offline-recovery";

    /// <summary>The new key's secret, or null when the store holds no operator account yet (nothing to recover).</summary>
    public async ValueTask<(string AccountId, string OwnerIamId, string Secret)?> RecoverAsync(string host, CancellationToken cancellationToken)
    {
        if (await store.GetOperatorAccountAsync(cancellationToken) is not { } account)
            return null;
        var now = time.GetUtcNow();
        var secret = ApiKeySecrets.NewSecret();
        var key = new ApiKey("ApiKey-" + Ids.NewUuid(), account.OwnerIamId, account.Id, $"recovered on {now:yyyy-MM-dd}", ApiKeySecrets.Hash(secret), now)
        {
            Description = $"Made by an offline recovery on {host}",
            CreatedBy = Initiator,
        };
        var auditEvent = new AuditEvent
        {
            Id = Ids.NewUuid(),
            AccountId = account.Id,
            Action = "iam-identity.apikey.create",
            EventTime = now,
            Initiator = new AuditInitiator(Initiator, Initiator, "service/security/offline", "host:" + host),
            Target = AuditEvents.ApiKey(account.Id, key.Id, key.Name),
            Outcome = "success",
            ReasonCode = 201,
            Severity = "critical",
            Message = $"IAM Identity: recover the operator owner's API key {key.Id} offline on {host}",
            RequestData = new JsonObject { ["command"] = "recover-operator-key", ["iam_id"] = account.OwnerIamId },
            ResponseData = new JsonObject { ["status"] = 201 },
        };
        var result = await store.CreateApiKeyAsync(key, auditEvent, cancellationToken);
        return result.Status == WriteStatus.Ok ? (account.Id, account.OwnerIamId, secret) : throw new InvalidOperationException($"the key could not be stored: {result.Status}");
    }
}
