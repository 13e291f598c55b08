namespace Tessera.Catalog;

/// <summary>A source service that a target service accepts authorizations from, with the roles it may be granted
/// and the target resource types that an authorization may name.</summary>
public sealed record SupportedAuthorization(string SourceService, IReadOnlyList<CatalogRole> Roles, IReadOnlyList<string> ResourceTypes);
