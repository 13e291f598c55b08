namespace Tessera.Errors;

/// <summary>An expected failure as a value: the HTTP status, IBM error code and a message that says what to fix.</summary>
public sealed record TesseraError(int Status, string Code, string Message)
{
    public static TesseraError BadRequest(string message) => new(400, ErrorCodes.InvalidBody, message);

    public static TesseraError Unsupported(string message) => new(400, ErrorCodes.UnsupportedPolicy, message);
}
