using Tessera.Errors;
using Tessera.Server.Http;

namespace Tessera.Server.Errors;

/// <summary>Writes errors in IBM's envelope, with the request's transaction id as the trace.</summary>
internal static class ErrorResults
{
    public static IResult From(TesseraError error) => Create(error.Status, error.Code, error.Message);

    public static IResult Create(int status, string code, string message, IbmErrorDetails? details = null) =>
        new IbmErrorResult(status, new IbmErrorItem(code, message, details));

    public static IResult BadRequest(string message) => Create(StatusCodes.Status400BadRequest, ErrorCodes.InvalidBody, message);

    public static IResult PolicyNotFound(string policyId) =>
        Create(StatusCodes.Status404NotFound, ErrorCodes.PolicyNotFound, $"Policy with Id {policyId} not found.");

    public static Task WriteAsync(HttpContext context, int status, string code, string message) =>
        Write(context, status, new IbmErrorItem(code, message));

    private static Task Write(HttpContext context, int status, IbmErrorItem item)
    {
        context.Response.StatusCode = status;
        var body = new IbmErrorBody(TransactionIds.Get(context), [item], status);
        return context.Response.WriteAsJsonAsync(body, ServerJsonContext.Default.IbmErrorBody, "application/json; charset=utf-8");
    }

    private sealed class IbmErrorResult(int status, IbmErrorItem item) : IResult, IStatusCodeHttpResult
    {
        public int? StatusCode => status;

        public Task ExecuteAsync(HttpContext httpContext) => Write(httpContext, status, item);
    }
}
