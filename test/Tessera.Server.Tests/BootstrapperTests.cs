using Microsoft.Extensions.Options;
using Tessera.Security;
using Tessera.Server.Hosting;
using Tessera.Storage.Sqlite;

namespace Tessera.Server.Tests;

public sealed class BootstrapperTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "tessera-boot-" + Guid.NewGuid().ToString("N"));
    private readonly SqliteStore _store;

    public BootstrapperTests()
    {
        _store = new SqliteStore(new SqliteStoreOptions { DataDirectory = _directory });
    }

    public void Dispose()
    {
        _store.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task FirstStart_PrintsAWorkingKeyOnceAndNeverAgain()
    {
        await _store.MigrateAsync(CancellationToken.None);
        var bootstrapper = new Bootstrapper(_store, Options.Create(new TesseraOptions { DataDirectory = _directory }), TimeProvider.System);
        using var first = new StringWriter();
        using var second = new StringWriter();

        await bootstrapper.BootstrapIfEmptyAsync(first, CancellationToken.None);
        await bootstrapper.BootstrapIfEmptyAsync(second, CancellationToken.None);

        var key = first.ToString().Split("shown only this once: ")[1].Trim();
        var owner = await _store.FindApiKeyByHashAsync(ApiKeySecrets.Hash(key), CancellationToken.None);
        Assert.NotNull(owner);
        var account = await _store.GetAccountAsync(owner.Identity.AccountId, CancellationToken.None);
        Assert.Equal(owner.Identity.IamId, account!.OwnerIamId);
        Assert.Matches("^[0-9a-f]{32}$", account.Id);
        Assert.Equal(string.Empty, second.ToString());
    }

    [Fact]
    public async Task FirstStart_WithASuppliedKeyDoesNotPrintIt()
    {
        await _store.MigrateAsync(CancellationToken.None);
        const string supplied = "automation-key-abcdefghijklmnopqrstuvwxyz";
        var bootstrapper = new Bootstrapper(_store,
            Options.Create(new TesseraOptions { DataDirectory = _directory, BootstrapApiKey = supplied }), TimeProvider.System);
        using var output = new StringWriter();

        await bootstrapper.BootstrapIfEmptyAsync(output, CancellationToken.None);

        Assert.DoesNotContain(supplied, output.ToString(), StringComparison.Ordinal);
        Assert.NotNull(await _store.FindApiKeyByHashAsync(ApiKeySecrets.Hash(supplied), CancellationToken.None));
    }
}
