using System.Globalization;

namespace Tessera.Server.Http;

/// <summary>IBM's timestamp format on the wire: UTC, milliseconds, <c>Z</c>.</summary>
internal static class Timestamps
{
    public static string Format(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    public static string? Format(DateTimeOffset? time) => time is { } value ? Format(value) : null;
}
