using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http.HttpResults;
using Tessera.Errors;
using Tessera.Server.Errors;

namespace Tessera.Server.Http;

/// <summary>What the management endpoints share: JSON results, preconditions, query errors and the request's base URL.</summary>
internal static class ApiResults
{
    public static JsonHttpResult<T> Json<T>(T value, int status = StatusCodes.Status200OK) =>
        TypedResults.Json(value, (JsonTypeInfo<T>)(ServerJsonContext.Default.GetTypeInfo(typeof(T)) ?? ManagementJsonContext.Default.GetTypeInfo(typeof(T)))!,
            "application/json; charset=utf-8", status);

    public static IResult NotFound(string what) => ErrorResults.Create(StatusCodes.Status404NotFound, ErrorCodes.NotFound, $"{what} not found.");

    public static IResult Forbidden(string message) => ErrorResults.Create(StatusCodes.Status403Forbidden, ErrorCodes.InsufficientPermissions, message);

    public static IResult Conflict(string message) => ErrorResults.Create(StatusCodes.Status409Conflict, ErrorCodes.Conflict, message);

    public static IResult PreconditionRequired(string what) =>
        ErrorResults.Create(StatusCodes.Status428PreconditionRequired, ErrorCodes.PreconditionRequired,
            $"The If-Match header is required: send the ETag of the {what} you are changing.");

    public static IResult PreconditionFailed(string what) =>
        ErrorResults.Create(StatusCodes.Status412PreconditionFailed, ErrorCodes.PreconditionFailed,
            $"The If-Match value is not the current version of the {what}; get it again and retry with its ETag.");

    public static IResult InvalidQuery(string name, string value, string expected) =>
        ErrorResults.Create(StatusCodes.Status400BadRequest, ErrorCodes.InvalidQueryParameter,
            $"the query parameter '{name}' has the invalid value '{value}'; expected {expected}");

    public static IResult MissingQuery(string name) =>
        ErrorResults.Create(StatusCodes.Status400BadRequest, ErrorCodes.MissingRequiredQueryParameter, $"the query parameter '{name}' is required");

    public static string? IfMatch(HttpContext context) =>
        context.Request.Headers.IfMatch.ToString() is { Length: > 0 } value ? value.Trim().Trim('"') : null;

    public static string BaseUrl(HttpContext context) => $"{context.Request.Scheme}://{context.Request.Host}";

    /// <summary>Reads a page size from <c>limit</c> (or another parameter), 1 to <paramref name="max"/>; null with an error when invalid.</summary>
    public static (int Limit, IResult? Error) Limit(HttpContext context, int defaultLimit, int max, string parameter = "limit")
    {
        var text = context.Request.Query[parameter].ToString();
        if (text.Length == 0)
            return (defaultLimit, null);
        return int.TryParse(text, out var limit) && limit >= 1 && limit <= max
            ? (limit, null)
            : (0, InvalidQuery(parameter, text, $"a whole number from 1 to {max}"));
    }
}
