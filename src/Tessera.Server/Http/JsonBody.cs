using System.Buffers;
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

    public static async ValueTask<(JsonDocument? Document, IbmError? Error)> ReadAsync(HttpContext context, CancellationToken cancellationToken, int? maxBytes = null)
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

        ReadOnlyMemory<byte> body;
        bool tooLarge;
        try
        {
            (body, tooLarge) = request.ContentLength is { } length
                ? await ReadKnownLengthAsync(request.Body, (int)length, cancellationToken)
                : await ReadChunkedAsync(request.Body, limit, cancellationToken);
        }
        catch (Exception ex) when (ex is BadHttpRequestException or IOException && !cancellationToken.IsCancellationRequested)
        {
            // Malformed framing (Kestrel reports a chunk size that overflows as an IOException, not a bad request).
            return (null, ErrorResults.BadRequest($"the request body cannot be read: {ex.Message}"));
        }
        if (tooLarge)
            return (null, TooLarge(limit));
        if (body.Length == 0)
            return (null, ErrorResults.BadRequest("the request body is empty; a JSON object is required"));

        try
        {
            if (JsonText.FindInvalidString(body.Span, DocumentOptions.MaxDepth) is { } offset)
                return (null, ErrorResults.BadRequest($"the request body holds a string that is not valid text (a lone surrogate, a NUL or bytes that are not UTF-8) at byte {offset}"));
            // The document reads the buffer in place for its lifetime, so the buffer is the caller's (not pooled).
            return (JsonDocument.Parse(body, DocumentOptions), null);
        }
        catch (JsonException ex)
        {
            return (null, ErrorResults.BadRequest($"the request body is not valid JSON: {ex.Message}"));
        }
    }

    /// <summary>One exact allocation when the client said how long the body is (the common case).</summary>
    private static async ValueTask<(ReadOnlyMemory<byte> Body, bool TooLarge)> ReadKnownLengthAsync(Stream body, int length, CancellationToken cancellationToken)
    {
        var buffer = new byte[length];
        var read = await body.ReadAtLeastAsync(buffer, length, throwOnEndOfStream: false, cancellationToken);
        return (buffer.AsMemory(0, read), false);
    }

    private static async ValueTask<(ReadOnlyMemory<byte> Body, bool TooLarge)> ReadChunkedAsync(Stream body, int limit, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = ArrayPool<byte>.Shared.Rent(8192);
        try
        {
            int read;
            while ((read = await body.ReadAsync(chunk, cancellationToken)) > 0)
            {
                if (buffer.Length + read > limit)
                    return (default, true);
                buffer.Write(chunk, 0, read);
            }
            return (buffer.GetBuffer().AsMemory(0, (int)buffer.Length), false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
    }

    private static IbmError TooLarge(int limit) =>
        ErrorResults.Create(StatusCodes.Status400BadRequest, ErrorCodes.RequestTooLarge, $"the request body is larger than the limit of {limit} bytes");
}
