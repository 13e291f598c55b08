namespace Tessera.Storage;

/// <summary>
/// The store's database cannot be reached right now (or is too busy to answer). Nothing was written: a write that
/// began rolled back. This is the one exception that crosses the store seam; hosts answer it with 503 and a retry hint,
/// and providers turn their own transient errors into it, so nothing outside a store names a provider's types.
/// </summary>
public sealed class StoreUnavailableException : Exception
{
    public StoreUnavailableException()
        : base("The store cannot be reached.")
    {
    }

    public StoreUnavailableException(string message)
        : base(message)
    {
    }

    public StoreUnavailableException(Exception cause)
        : base($"The store cannot be reached: {cause.Message}", cause)
    {
    }

    public StoreUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
