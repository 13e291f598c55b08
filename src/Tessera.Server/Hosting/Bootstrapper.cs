using Microsoft.Extensions.Options;
using Tessera.Audit;
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

        var suppliedKey = options.Value.BootstrapApiKey;
        var secret = suppliedKey ?? ApiKeySecrets.NewSecret();
        var (account, auditEvent) = NewAccount.Create("Operator", "operator", secret,
            new AuditInitiator("tessera", "tessera", "service/security/clientid", "instance-identity-token"), time.GetUtcNow(), isOperator: true);
        if (!await store.CreateAccountAsync(account, auditEvent, cancellationToken))
            return; // another node sharing the database bootstrapped it first

        await console.WriteLineAsync($"Tessera created the operator account {account.Account.Id}; its owner is {account.Owner.IamId}.");
        await console.WriteLineAsync(suppliedKey is null
            ? $"The owner's API key, shown only this once: {secret}"
            : "The owner's API key is the one given in TESSERA_BOOTSTRAP_APIKEY.");
    }
}
