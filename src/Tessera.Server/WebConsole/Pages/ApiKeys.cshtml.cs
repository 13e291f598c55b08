using Tessera.Management;

namespace Tessera.Server.WebConsole.Pages;

/// <summary>The signed-in identity's own API keys.</summary>
public sealed class ApiKeysModel(RuleBook rules) : ApiKeyPage(rules)
{
    protected override Task<string?> LoadOwnerAsync(CancellationToken cancellationToken) => Task.FromResult<string?>(Caller.IamId);
}
