namespace Tessera.Catalog;

public sealed record CatalogPlan(string Id, string Name);
