
namespace Tessera.Storage.Sqlite.Tests;

/// <summary>The store suite over a real SQLite file in a fresh directory.</summary>
public sealed class SqliteStoreTests : StoreTestSuite
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "tessera-store-" + Guid.NewGuid().ToString("N"));
    private readonly List<SqliteStore> _stores = [];

    protected override Task<ITesseraStore> CreateStoreAsync(IChangeSink changes) => Task.FromResult<ITesseraStore>(Open(changes));

    protected override async Task<ITesseraStore> ReopenAsync()
    {
        var store = Open();
        await store.MigrateAsync(CancellationToken.None);
        return store;
    }

    public override Task DisposeAsync()
    {
        foreach (var store in _stores)
            store.Dispose();
        Directory.Delete(_directory, recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public void Open_UsesWriteAheadLoggingInTheDataDirectory()
    {
        Assert.True(File.Exists(Path.Combine(_directory, "tessera.db")));
        Assert.True(File.Exists(Path.Combine(_directory, "tessera.db-wal")));
    }

    private SqliteStore Open(IChangeSink? changes = null)
    {
        var store = new SqliteStore(new SqliteStoreOptions { DataDirectory = _directory }, changes);
        _stores.Add(store);
        return store;
    }
}
