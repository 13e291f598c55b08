using System.Net;

namespace Tessera.Client;

/// <summary>
/// A refusal or failure the server answered with IBM's error body: the first error's <see cref="Code"/> and
/// <see cref="ServerMessage"/>, the HTTP status and the transaction id that finds the request in the server's log and trail.
/// </summary>
public sealed class TesseraApiException : Exception
{
    public TesseraApiException(HttpStatusCode status, string code, string serverMessage, string? transactionId, TimeSpan? retryAfter = null)
        : base(transactionId is null ? $"{serverMessage} ({code}, {(int)status})" : $"{serverMessage} ({code}, {(int)status}, transaction {transactionId})")
    {
        Status = status;
        Code = code;
        ServerMessage = serverMessage;
        TransactionId = transactionId;
        RetryAfter = retryAfter;
    }

    public HttpStatusCode Status { get; }

    /// <summary>IBM's error code, e.g. <c>policy_not_found</c>, <c>insufficent_permissions</c> (sic), or the token server's <c>BXNIM0415E</c>.</summary>
    public string Code { get; }

    /// <summary>The server's own message, unchanged.</summary>
    public string ServerMessage { get; }

    /// <summary>The <c>Transaction-Id</c> of the request (the error body's <c>trace</c> when the header is missing).</summary>
    public string? TransactionId { get; }

    /// <summary>How long the server asked to wait, on a 429 or 503.</summary>
    public TimeSpan? RetryAfter { get; }
}
