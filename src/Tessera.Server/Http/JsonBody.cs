using System.Text.Json;
using Microsoft.Extensions.Options;
using Tessera.Errors;
using Tessera.Server.Errors;
using Tessera.Server.Hosting;

namespace Tessera.Server.Http;

/// <summary>
/// Reads a JSON request body under a hard size cap, so that no client can make the server buffer more than
/// <see cref="TesseraOptions.MaxRequestBodyBytes"/>; anything off gets a 4xx in IBM's envelope.
/// </summary>
internal static class JsonBody
{
    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 32 };

    public static async ValueTask<(JsonDocument? Document, IResult? Error)> ReadAsync(HttpContext context, CancellationToken cancellationToken, int? maxBytes = null)
    {
        var limit = maxBytes ?? context.RequestServices.GetRequiredService<IOptions<TesseraOptions>>().Value.MaxRequestBodyBytes;
        var request = context.Request;
        var mediaType = request.ContentType?.Split(';')[0].Trim();
        if (!string.Equals(mediaType, "application/json", StringComparison.OrdinalIgnoreCase))
        {
            return (null, ErrorResults.Create(StatusCodes.Status415UnsupportedMediaType, ErrorCodes.UnsupportedContentType,
                $"the request body must be JSON sent with 'Content-Type: application/json' (got '{request.ContentType}')"));
        }
        if (request.ContentLength > limit)
            return (null, TooLarge(limit));

        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > limit)
                return (null, TooLarge(limit));
            buffer.Write(chunk, 0, read);
        }
        if (buffer.Length == 0)
            return (null, ErrorResults.BadRequest("the request body is empty; a JSON object is required"));

        try
        {
            return (JsonDocument.Parse(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), DocumentOptions), null);
        }
        catch (JsonException ex)
        {
            return (null, ErrorResults.BadRequest($"the request body is not valid JSON: {ex.Message}"));
        }
    }

    private static IResult TooLarge(int limit) =>
        ErrorResults.Create(StatusCodes.Status400BadRequest, ErrorCodes.RequestTooLarge, $"the request body is larger than the limit of {limit} bytes");
}
