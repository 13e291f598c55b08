using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Tessera.Storage;

namespace Tessera.Server.WebConsole;

/// <summary>
/// ASP.NET Core's data-protection key ring, kept in Tessera's store rather than in a node's home directory: every node
/// of a PostgreSQL deployment shares the keys that protect the console's antiforgery tokens and notices, and an
/// embedded deployment keeps them with the rest of its data. The key ring reads them rarely (it caches them for hours)
/// and writes one every few months, so the store's asynchronous calls are waited on here, off every request path.
/// </summary>
internal sealed class StoreKeyRepository(ITesseraStore store) : IXmlRepository
{
    public IReadOnlyCollection<XElement> GetAllElements() =>
        store.ReadDataProtectionKeysAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult().Select(xml => XElement.Parse(xml)).ToList();

    public void StoreElement(XElement element, string friendlyName) =>
        store.AddDataProtectionKeyAsync(friendlyName, element.ToString(SaveOptions.DisableFormatting), CancellationToken.None).AsTask().GetAwaiter().GetResult();
}
