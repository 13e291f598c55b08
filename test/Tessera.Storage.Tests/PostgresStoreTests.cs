using Tessera.Storage.Postgres;
using Tessera.Tests;

namespace Tessera.Storage.Tests;

/// <summary>The store suite over a real PostgreSQL server, each test in a database of its own.</summary>
public sealed class PostgresStoreTests : StoreTestSuite
{
    private readonly List<PostgresStore> _stores = [];
    private PostgresTestDatabase? _database;

    protected override async Task<ITesseraStore> CreateStoreAsync(IChangeSink changes)
    {
        _database = await PostgresTestDatabase.CreateAsync();
        return Open(changes);
    }

    protected override async Task<ITesseraStore> ReopenAsync()
    {
        var store = Open(null);
        await store.MigrateAsync(CancellationToken.None);
        return store;
    }

    [Fact]
    public async Task AnEventAppendedOnANodeBehind_BringsInTheChangesItWasBehind_RatherThanSkippingThem()
    {
        var otherNode = new RecordingSink();
        var onOtherNode = Open(otherNode);
        var policy = NewPolicy("acc-a", "kms");
        var created = (await Store.CreatePolicyAsync(policy, Event(policy, "create"), CancellationToken.None)).Value!;

        // An event moves no revision; the other node, which has not seen the policy yet, must not take the event's
        // commit for the policy's (it did: the node then claimed that revision without the policy, and decided wrong).
        await onOtherNode.AppendEventAsync(Event(policy, "refused"), CancellationToken.None);

        Assert.Equal(created.Revision, onOtherNode.Follower.AppliedRevision);
        Assert.Contains(otherNode.Calls, changes => changes.Policies.Any(p => p.Id == policy.Id));
    }

    public override async Task DisposeAsync()
    {
        foreach (var store in _stores)
            await store.DisposeAsync();
        if (_database is not null)
            await _database.DisposeAsync();
    }

    private PostgresStore Open(IChangeSink? changes)
    {
        var store = new PostgresStore(new PostgresStoreOptions { ConnectionString = _database!.ConnectionString }, changes);
        _stores.Add(store);
        return store;
    }
}
