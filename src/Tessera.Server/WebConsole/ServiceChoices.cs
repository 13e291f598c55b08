using Tessera.Catalog;

namespace Tessera.Server.WebConsole;

/// <summary>The services a form offers, from the catalog: the ones that can be a source, and the targets that accept a source.</summary>
public static class ServiceChoices
{
    public static IEnumerable<CatalogService> Sources(ServiceCatalog catalog)
    {
        var sources = catalog.Services.SelectMany(s => s.Authorizations).Select(a => a.SourceService).ToHashSet(StringComparer.Ordinal);
        return catalog.Services.Where(s => sources.Contains(s.Name)).OrderBy(s => s.DisplayName, StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>The services that accept authorizations from <paramref name="source"/>, or from any source when none is chosen.</summary>
    public static IEnumerable<CatalogService> Targets(ServiceCatalog catalog, string? source) =>
        catalog.Services.Where(s => source is { Length: > 0 } ? s.FindAuthorizationFrom(source) is not null : s.Authorizations.Count > 0)
            .OrderBy(s => s.DisplayName, StringComparer.OrdinalIgnoreCase);
}
