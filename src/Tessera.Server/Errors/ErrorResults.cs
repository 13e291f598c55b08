using Tessera.Errors;
using Tessera.Server.Http;

namespace Tessera.Server.Errors;

/// <summary>Writes errors in IBM's envelope, with the request's transaction id as the trace.</summary>
internal static class ErrorResults
{
    public static IbmError Create(int status, string code, string message, IbmErrorDetails? details = null) =>
        new(status, new IbmErrorItem(code, message, details));

    public static IbmError BadRequest(string message) => Create(StatusCodes.Status400BadRequest, ErrorCodes.InvalidBody, message);

    public static Task WriteAsync(HttpContext context, int status, string code, string message) =>
        Write(context, status, new IbmErrorItem(code, message));

    internal static Task Write(HttpContext context, int status, IbmErrorItem item)
    {
        context.Response.StatusCode = status;
        var body = new IbmErrorBody(TransactionIds.Get(context), [item], status);
        return context.Response.WriteAsJsonAsync(body, ServerJsonContext.Relaxed.IbmErrorBody, "application/json; charset=utf-8");
    }
}

/// <summary>An error answer in IBM's envelope; the one error type every endpoint's <c>Results&lt;…&gt;</c> union names.</summary>
internal sealed class IbmError(int status, IbmErrorItem item) : IResult, IStatusCodeHttpResult
{
    public int? StatusCode => status;

    public IbmErrorItem Item => item;

    public Task ExecuteAsync(HttpContext httpContext) => ErrorResults.Write(httpContext, status, item);
}
