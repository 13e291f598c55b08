using System.Buffers;
using System.Text.Json;
using System.Text.Unicode;

namespace Tessera.Server.Http;

/// <summary>
/// What <see cref="JsonDocument"/> does not check when it parses: that every string and property name is text.
/// System.Text.Json accepts a byte sequence that is not UTF-8, or an escaped lone surrogate (<c>"\ud800"</c>), and
/// throws only when the value is read as a string, deep inside a handler; checked here, once, they are a 400. So is an
/// escaped NUL (<c>"\u0000"</c>): PostgreSQL cannot hold one in text, and no IAM name or id needs it.
/// </summary>
internal static class JsonText
{
    /// <summary>The byte offset of the first string or property name that is not valid text, or null when all are.</summary>
    /// <exception cref="JsonException">The body is not well-formed JSON.</exception>
    public static long? FindInvalidString(ReadOnlySpan<byte> json, int maxDepth)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = maxDepth });
        while (reader.Read())
        {
            if (reader.TokenType is not (JsonTokenType.String or JsonTokenType.PropertyName))
                continue;
            // A body is one contiguous buffer, so a value is always a span (never a sequence).
            if (!(reader.ValueIsEscaped ? UnescapesToText(ref reader) : Utf8.IsValid(reader.ValueSpan)))
                return reader.TokenStartIndex;
        }
        return null;
    }

    private static bool UnescapesToText(ref Utf8JsonReader reader)
    {
        // Unescaping never lengthens: one UTF-16 unit at most per byte of the escaped form.
        var buffer = ArrayPool<char>.Shared.Rent(reader.ValueSpan.Length);
        try
        {
            var length = reader.CopyString(buffer);
            return !buffer.AsSpan(0, length).Contains('\0');
        }
        catch (InvalidOperationException)
        {
            // Thrown for an escaped lone surrogate, or bytes between the escapes that are not UTF-8.
            return false;
        }
        finally
        {
            ArrayPool<char>.Shared.Return(buffer);
        }
    }
}
