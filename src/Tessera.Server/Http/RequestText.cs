using Tessera.Errors;
using Tessera.Server.Errors;

namespace Tessera.Server.Http;

/// <summary>
/// A NUL in the query string (<c>%00</c>) is a 400 before any handler sees it: no id or name contains one, and
/// PostgreSQL refuses it in text (it would surface as a database error). Kestrel itself refuses one in the path, and
/// <see cref="JsonText"/> one in a JSON body.
/// </summary>
internal static class RequestText
{
    public static IApplicationBuilder UseRequestTextChecks(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        // The query string as sent, where a NUL can only be percent-encoded.
        if (context.Request.QueryString.Value?.Contains("%00", StringComparison.Ordinal) == true)
        {
            return ErrorResults.WriteAsync(context, StatusCodes.Status400BadRequest, ErrorCodes.InvalidQueryParameter,
                "The query string holds a NUL character (%00), which no Tessera name or id contains.");
        }
        return next(context);
    });
}
