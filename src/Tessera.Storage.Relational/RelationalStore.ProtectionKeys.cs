namespace Tessera.Storage.Relational;

// The console's data-protection keys: written once each, read by every node's key ring.
public abstract partial class RelationalStore
{
    public async ValueTask<IReadOnlyList<string>> ReadDataProtectionKeysAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await ReadAllAsync(connection, null, "SELECT xml FROM data_protection_keys ORDER BY name", r => r.GetString(0), cancellationToken);
    }

    public async ValueTask AddDataProtectionKeyAsync(string name, string xml, CancellationToken cancellationToken)
    {
        using var gate = await EnterWriteAsync(cancellationToken);
        await using var connection = await OpenAsync(cancellationToken);
        await ExecuteAsync(connection, null, "INSERT INTO data_protection_keys (name, xml) VALUES (@name, @xml) ON CONFLICT (name) DO NOTHING", cancellationToken,
            ("@name", name), ("@xml", xml));
    }
}
