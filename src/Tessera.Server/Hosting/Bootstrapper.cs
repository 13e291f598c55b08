using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Tessera.Audit;
using Tessera.Model;
using Tessera.Security;
using Tessera.Storage;

namespace Tessera.Server.Hosting;

/// <summary>
/// First start on an empty store: creates the operator account with its owner and <c>Default</c> resource group,
/// and gives the owner an API key, printed once to standard output (not to the log) unless the operator supplied it.
/// </summary>
internal sealed class Bootstrapper(ITesseraStore store, IOptions<TesseraOptions> options, TimeProvider time)
{
    public async ValueTask BootstrapIfEmptyAsync(TextWriter console, CancellationToken cancellationToken)
    {
        if (await store.HasAccountsAsync(cancellationToken))
            return;

        var now = time.GetUtcNow();
        var accountId = Ids.NewHex32();
        var ownerIamId = "IBMid-" + Ids.NewHex32()[..10].ToUpperInvariant();
        var suppliedKey = options.Value.BootstrapApiKey;
        var secret = suppliedKey ?? ApiKeySecrets.NewSecret();

        var account = new NewAccount(
            new Account(accountId, "Operator", ownerIamId, now),
            new Model.Identity(ownerIamId, accountId, IdentityKind.User, "operator", now),
            new ResourceGroup(Ids.NewHex32(), accountId, "Default", IsDefault: true, now),
            new ApiKey("ApiKey-" + Ids.NewUuid(), ownerIamId, accountId, "operator bootstrap key", ApiKeySecrets.Hash(secret), now));
        var auditEvent = new AuditEvent
        {
            Id = Ids.NewUuid(),
            AccountId = accountId,
            Action = "iam-identity.account.create",
            EventTime = now,
            Initiator = new AuditInitiator("tessera", "tessera", "service/security/clientid", "instance-identity-token"),
            Target = new AuditTarget($"crn:v1:bluemix:public:iam-identity::a/{accountId}::account:{accountId}", "Operator", "iam-identity/account"),
            ReasonCode = StatusCodes.Status201Created,
            Message = $"IAM Identity: create account {accountId} with owner {ownerIamId}",
            RequestData = new JsonObject { ["name"] = "Operator", ["bootstrap"] = true },
        };
        await store.CreateAccountAsync(account, auditEvent, cancellationToken);

        await console.WriteLineAsync($"Tessera created the operator account {accountId}; its owner is {ownerIamId}.");
        await console.WriteLineAsync(suppliedKey is null
            ? $"The owner's API key, shown only this once: {secret}"
            : "The owner's API key is the one given in TESSERA_BOOTSTRAP_APIKEY.");
    }
}
