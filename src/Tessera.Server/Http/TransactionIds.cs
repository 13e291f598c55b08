using Tessera.Model;

namespace Tessera.Server.Http;

/// <summary>
/// Every response carries <c>Transaction-Id</c>: the caller's value echoed (Terraform stores it and would see drift
/// otherwise) or a new 32-hex id. Error bodies use it as their <c>trace</c>.
/// </summary>
internal static class TransactionIds
{
    public const string HeaderName = "Transaction-Id";
    private const int MaxLength = 128;
    private static readonly object ItemKey = new();

    public static string Get(HttpContext context) =>
        context.Items.TryGetValue(ItemKey, out var value) && value is string id ? id : Ids.NewHex32();

    public static IApplicationBuilder UseTransactionIds(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        var id = context.Request.Headers[HeaderName].ToString();
        if (id.Length is 0 or > MaxLength || !id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
            id = Ids.NewHex32();
        context.Items[ItemKey] = id;
        context.Response.Headers[HeaderName] = id;
        context.Response.Headers.CacheControl = "no-cache,no-store";
        context.Response.Headers.Pragma = "no-cache";
        return next(context);
    });
}
