namespace Tessera.Storage;

public enum WriteStatus
{
    Ok,
    NotFound,
    /// <summary>An identical active policy exists (R6), or a name is taken; the result carries what conflicts.</summary>
    Conflict,
    /// <summary>The If-Match ETag is not the current one.</summary>
    PreconditionFailed,
    /// <summary>The change would leave something dangling (a resource group that still holds instances).</summary>
    NotEmpty,
    /// <summary>Something the write names is not (or no longer) there, checked in the write's transaction (R7).</summary>
    InvalidReference,
}
