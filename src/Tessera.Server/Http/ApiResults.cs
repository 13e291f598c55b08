using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http.HttpResults;
using Tessera.Errors;
using Tessera.Server.Errors;

namespace Tessera.Server.Http;

/// <summary>What the management endpoints share: JSON results, query errors, If-Match and the request's base URL.</summary>
internal static class ApiResults
{
    public static JsonHttpResult<T> Json<T>(T value, int status = StatusCodes.Status200OK) =>
        TypedResults.Json(value, (JsonTypeInfo<T>)(ServerJsonContext.Relaxed.GetTypeInfo(typeof(T)) ?? ManagementJsonContext.Relaxed.GetTypeInfo(typeof(T)))!,
            "application/json; charset=utf-8", status);

    /// <summary>A JSON answer with the object's entity tag in <c>ETag</c>, the value its next If-Match is to carry.</summary>
    public static JsonHttpResult<T> Json<T>(HttpContext context, T value, string entityTag)
    {
        context.Response.Headers.ETag = entityTag;
        return Json(value);
    }

    public static IbmError InvalidQuery(string name, string value, string expected) =>
        ErrorResults.Create(StatusCodes.Status400BadRequest, ErrorCodes.InvalidQueryParameter,
            $"the query parameter '{name}' has the invalid value '{value}'; expected {expected}");

    public static IbmError MissingQuery(string name) =>
        ErrorResults.Create(StatusCodes.Status400BadRequest, ErrorCodes.MissingRequiredQueryParameter, $"the query parameter '{name}' is required");

    public static string? IfMatch(HttpContext context) =>
        context.Request.Headers.IfMatch.ToString() is { Length: > 0 } value ? value.Trim().Trim('"') : null;

    public static bool IsTrue(Microsoft.Extensions.Primitives.StringValues header) =>
        string.Equals(header.ToString(), "true", StringComparison.OrdinalIgnoreCase);

    public static string BaseUrl(HttpContext context) => $"{context.Request.Scheme}://{context.Request.Host}";

    /// <summary>A non-empty query parameter, or null.</summary>
    public static string? Query(HttpContext context, string name) => context.Request.Query[name].ToString() is { Length: > 0 } value ? value : null;

    /// <summary>Reads a page size from <c>limit</c> (or another parameter), 1 to <paramref name="max"/>; null with an error when invalid.</summary>
    public static (int Limit, IbmError? Error) Limit(HttpContext context, int defaultLimit, int max, string parameter = "limit")
    {
        var text = context.Request.Query[parameter].ToString();
        if (text.Length == 0)
            return (defaultLimit, null);
        return int.TryParse(text, out var limit) && limit >= 1 && limit <= max
            ? (limit, null)
            : (0, InvalidQuery(parameter, text, $"a whole number from 1 to {max}"));
    }
}
