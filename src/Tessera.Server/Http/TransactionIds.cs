namespace Tessera.Server.Http;

/// <summary>
/// Every response carries <c>Transaction-Id</c>: the caller's value echoed (Terraform stores it and would see drift
/// otherwise) or a new 32-hex id. Error bodies use it as their <c>trace</c>.
/// </summary>
internal static class TransactionIds
{
    public const string HeaderName = "Transaction-Id";
    private const int MaxLength = 128;

    // Generated ids: a random per-process prefix and a counter. Unique like a random 32-hex id, but without a call
    // to the system RNG on every request.
    private static readonly ulong Prefix = BitConverter.ToUInt64(System.Security.Cryptography.RandomNumberGenerator.GetBytes(8));
    private static long _counter;

    /// <summary>
    /// The request's id, kept as its <see cref="HttpContext.TraceIdentifier"/>: a field the server already has (no
    /// per-request item), and one that survives the exception handler clearing the response.
    /// </summary>
    public static string Get(HttpContext context) => context.TraceIdentifier;

    private static string NewId() => string.Create(32, Interlocked.Increment(ref _counter), static (chars, counter) =>
    {
        Prefix.TryFormat(chars, out _, "x16", System.Globalization.CultureInfo.InvariantCulture);
        ((ulong)counter).TryFormat(chars[16..], out _, "x16", System.Globalization.CultureInfo.InvariantCulture);
    });

    public static IApplicationBuilder UseTransactionIds(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        var id = context.Request.Headers[HeaderName].ToString();
        if (id.Length is 0 or > MaxLength || !id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
            id = NewId();
        context.TraceIdentifier = id;
        context.Response.Headers[HeaderName] = id;
        context.Response.Headers.CacheControl = "no-cache,no-store";
        context.Response.Headers.Pragma = "no-cache";
        return next(context);
    });
}
