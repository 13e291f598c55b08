namespace Tessera.Errors;

/// <summary>
/// An expected failure as a value: the HTTP status, IBM error code and a message that says what to fix; and, where it
/// concerns one, the request field (<c>roles</c>, <c>subject.accountId</c>, <c>resource.serviceInstance</c>), so that a
/// form can show it beside that field.
/// </summary>
public sealed record TesseraError(int Status, string Code, string Message, string? Field = null)
{
    public static TesseraError BadRequest(string message, string? field = null) => new(400, ErrorCodes.InvalidBody, message, field);

    public static TesseraError Unsupported(string message) => new(400, ErrorCodes.UnsupportedPolicy, message);
}
