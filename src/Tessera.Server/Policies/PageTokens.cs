using System.Buffers.Text;
using System.Text;
using System.Text.Json;
using Tessera.Storage;

namespace Tessera.Server.Policies;

/// <summary>
/// The opaque <c>start</c> token of policy lists: the keyset cursor plus the sort it belongs to, so a token
/// cannot be replayed against a different sort order.
/// </summary>
internal static class PageTokens
{
    public static string Encode(PageCursor cursor, string sort) =>
        Base64Url.EncodeToString(Encoding.UTF8.GetBytes(JsonSerializer.Serialize([sort, cursor.SortValue, cursor.Id], ServerJsonContext.Default.StringArray)));

    public static bool TryDecode(string token, string sort, out PageCursor? cursor)
    {
        cursor = null;
        try
        {
            var parts = JsonSerializer.Deserialize(Base64Url.DecodeFromChars(token), ServerJsonContext.Default.StringArray);
            // A NUL cannot be in a real cursor (nor in PostgreSQL text): such a token was made up.
            if (parts is not [{ } tokenSort, { } value, { } id] || tokenSort != sort || value.Contains('\0', StringComparison.Ordinal) || id.Contains('\0', StringComparison.Ordinal))
                return false;
            cursor = new PageCursor(value, id);
            return true;
        }
        catch (Exception ex) when (ex is FormatException or JsonException)
        {
            return false;
        }
    }
}
