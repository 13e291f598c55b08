namespace Tessera.Catalog;

/// <summary>A role as the catalog defines it: a platform role shared by every service, or a role of one service.</summary>
public sealed record CatalogRole(string Name, string DisplayName, string Description, string Crn, IReadOnlyList<string> Actions, bool IsPlatformRole);
