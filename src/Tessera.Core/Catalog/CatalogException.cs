namespace Tessera.Catalog;

/// <summary>The catalog file is broken; the message lists every problem found so the operator can fix them in one go.</summary>
public sealed class CatalogException : Exception
{
    public CatalogException(string message) : base(message) { }

    public CatalogException(string message, Exception innerException) : base(message, innerException) { }

    public CatalogException() { }
}
