using Microsoft.AspNetCore.Diagnostics;
using Tessera.Errors;
using Tessera.Storage;

namespace Tessera.Server.Errors;

/// <summary>
/// The answer to an exception no endpoint expected. Bad input is answered before it gets here; what arrives is a bug or
/// a broken store, and the client learns no more than that. The log gets one line with the request's trace id, the
/// exception's type and message and where it was thrown — not a stack trace per request, which a client sending bad
/// requests in a loop would turn into gigabytes. Handling it here also keeps ASP.NET Core's own error log quiet.
/// </summary>
internal sealed partial class UnexpectedErrors(ILogger<UnexpectedErrors> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is StoreUnavailableException)
        {
            // The database is unreachable (or busy): nothing was acknowledged, and the transaction rolled back; retrying is safe.
            StoreUnavailable(logger, context.TraceIdentifier, exception.Message);
            context.Response.Headers.RetryAfter = "1";
            await ErrorResults.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, ErrorCodes.ServiceUnavailable,
                "The store cannot be reached right now; decisions are still answered. Retry the request shortly.");
            return true;
        }
        if (exception is BadHttpRequestException bad)
        {
            await ErrorResults.WriteAsync(context, bad.StatusCode, ErrorCodes.InvalidBody, bad.Message);
            return true;
        }
        Unexpected(logger, context.TraceIdentifier, context.Request.Method, context.Request.Path.Value ?? string.Empty,
            exception.GetType().Name, exception.Message, exception.TargetSite?.DeclaringType?.FullName + "." + exception.TargetSite?.Name);
        await ErrorResults.WriteAsync(context, StatusCodes.Status500InternalServerError, ErrorCodes.InternalError, "Tessera could not process the request.");
        return true;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Request {TraceId} {Method} {Path} failed: {ExceptionType}: {ExceptionMessage} (at {ThrownAt})")]
    private static partial void Unexpected(ILogger logger, string traceId, string method, string path, string exceptionType, string exceptionMessage, string thrownAt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Request {TraceId} answered 503: the store is unavailable: {ExceptionMessage}")]
    private static partial void StoreUnavailable(ILogger logger, string traceId, string exceptionMessage);
}
