using Tessera.Server.Identity;

namespace Tessera.Server.WebConsole;

/// <summary>
/// The console's sign-in: the token an API key was exchanged for, kept in a cookie the page's scripts cannot read
/// (HttpOnly), that no other site's page can make the browser send (SameSite=Strict), sent only over TLS when the
/// console is served over TLS, and only to the console's own paths: the API never takes it, so a cookie can never
/// authenticate an API call on the user's behalf. It is a session cookie, gone when the browser closes; the token
/// inside ends sooner, and then the console says the session has ended and asks for the key again.
/// </summary>
internal static class ConsoleSession
{
    public const string CookieName = "tessera-console";

    /// <summary>The token a console request carries, or an empty span.</summary>
    public static ReadOnlySpan<char> TokenOf(HttpContext context) =>
        context.Request.Cookies.TryGetValue(CookieName, out var token) ? token.AsSpan() : [];

    public static void Start(HttpContext context, IssuedToken token) => context.Response.Cookies.Append(CookieName, token.AccessToken, Options(context));

    public static void End(HttpContext context) => context.Response.Cookies.Delete(CookieName, Options(context));

    /// <summary>Whether the request came with a session cookie that is no longer good (expired, or its key deleted).</summary>
    public static bool HasEnded(HttpContext context) =>
        context.Request.Cookies.ContainsKey(CookieName) && context.User.Identity?.IsAuthenticated != true;

    private static CookieOptions Options(HttpContext context) => new()
    {
        HttpOnly = true,
        SameSite = SameSiteMode.Strict,
        Secure = context.Request.IsHttps,
        Path = ConsoleSetup.Root,
        IsEssential = true,
    };
}
