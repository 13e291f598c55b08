namespace Tessera.Storage;

public enum WriteStatus
{
    Ok,
    NotFound,
    /// <summary>An identical active policy exists (R6); the result carries it.</summary>
    Conflict,
    /// <summary>The If-Match ETag is not the current one.</summary>
    PreconditionFailed,
}
