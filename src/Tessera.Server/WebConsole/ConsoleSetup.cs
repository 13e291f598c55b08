using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Options;
using Tessera.Storage;

namespace Tessera.Server.WebConsole;

/// <summary>
/// The web console, <c>/console</c>: Razor Pages rendered on the server, a stylesheet and one small script that only
/// makes dependent choices update in place. Every action goes through the rule book, as the API's do.
/// </summary>
internal static class ConsoleSetup
{
    public const string Root = "/console";

    /// <summary>Where a browser signs in (a post there exchanges an API key, and spends the token endpoint's budget).</summary>
    public const string SignInPath = Root + "/signin";

    /// <summary>
    /// No script but the console's own file, no inline script or style, no framing, no referrer: a page that shows a new
    /// API key once must not leak it through any of them.
    /// </summary>
    private const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; " +
        "frame-ancestors 'none'; base-uri 'none'";

    public static IServiceCollection AddTesseraConsole(this IServiceCollection services)
    {
        services.AddRazorPages(options =>
        {
            options.RootDirectory = "/WebConsole/Pages";
            options.Conventions.Add(new ConsoleRoutes());
            // The fallback policy wants a bearer token and answers JSON; console pages check their cookie themselves
            // (ConsolePage) and send a browser to the sign-in page instead.
            options.Conventions.AllowAnonymousToFolder("/");
        }).AddCookieTempDataProvider(options =>
        {
            options.Cookie.Name = "tessera-console-notice";
            Restrict(options.Cookie);
        });
        // Every node protects and reads the console's tokens with the same keys, kept in the store (StoreKeyRepository).
        services.AddDataProtection().SetApplicationName("tessera-console");
        services.AddSingleton<IConfigureOptions<KeyManagementOptions>>(provider => new ConfigureOptions<KeyManagementOptions>(options =>
            options.XmlRepository = new StoreKeyRepository(provider.GetRequiredService<ITesseraStore>())));
        services.AddAntiforgery(options =>
        {
            options.Cookie.Name = "tessera-console-csrf";
            Restrict(options.Cookie);
            // The console's own headers forbid framing outright (frame-ancestors 'none', X-Frame-Options DENY).
            options.SuppressXFrameOptionsHeader = true;
        });
        return services;
    }

    private static void Restrict(CookieBuilder cookie)
    {
        cookie.HttpOnly = true;
        cookie.SameSite = SameSiteMode.Strict;
        cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        cookie.Path = Root;
        cookie.IsEssential = true;
    }

    /// <summary>
    /// The security headers on every console response, and its static files (a stylesheet, a script, an icon): on a
    /// branch that only console paths take, so that the API's requests (the decisions above all) pass one path test.
    /// </summary>
    public static IApplicationBuilder UseTesseraConsole(this IApplicationBuilder app) => app.UseWhen(IsConsole, console =>
    {
        console.Use((context, next) =>
        {
            // Behind a proxy on this host that terminated TLS (operations.md's nginx), the console's cookies are Secure
            // as they would be over Tessera's own TLS. Only a loopback peer is believed: anyone else could say so.
            if (!context.Request.IsHttps && context.Request.Headers["X-Forwarded-Proto"] == "https"
                && context.Connection.RemoteIpAddress is { } peer && System.Net.IPAddress.IsLoopback(peer))
            {
                context.Request.Scheme = "https";
            }
            var headers = context.Response.Headers;
            headers.ContentSecurityPolicy = ContentSecurityPolicy;
            headers.XFrameOptions = "DENY";
            headers.XContentTypeOptions = "nosniff";
            headers["Referrer-Policy"] = "no-referrer";
            headers["Cross-Origin-Opener-Policy"] = "same-origin";
            return next(context);
        });
        // Beside the program (copied there by the build and by publish), wherever it is started from.
        console.UseStaticFiles(new StaticFileOptions
        {
            RequestPath = Root + "/assets",
            FileProvider = new PhysicalFileProvider(Path.Combine(AppContext.BaseDirectory, "console-assets")),
            // Revalidated each time (ETag): a new release's stylesheet is never hidden behind an old one.
            OnPrepareResponse = file => file.Context.Response.Headers.CacheControl = "no-cache",
        });
    });

    /// <summary>A console error page, in place of the API's JSON envelope (404, and a form whose antiforgery token failed).</summary>
    public static bool IsConsole(HttpContext context) => context.Request.Path.StartsWithSegments(Root);

    public static Task WriteErrorAsync(HttpContext context)
    {
        var status = context.Response.StatusCode;
        var (title, text) = status switch
        {
            StatusCodes.Status404NotFound => ("Not found", "There is no such page, or you may not see it."),
            StatusCodes.Status429TooManyRequests => ("Too many attempts", "Wait a few seconds, then go back and try again."),
            StatusCodes.Status400BadRequest => ("The form could not be accepted",
                "It did not come from this console's own page, or it expired. Nothing was changed. Go back, reload the page and try again."),
            _ => ("The request could not be processed", "Nothing was changed."),
        };
        context.Response.ContentType = "text/html; charset=utf-8";
        return context.Response.WriteAsync(ErrorPage(title, text, Http.TransactionIds.Get(context)));
    }

    private static string ErrorPage(string title, string text, string transactionId) =>
        $"""
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{title} - Tessera</title><link rel="icon" href="{Root}/assets/favicon.svg" type="image/svg+xml"><link rel="stylesheet" href="{Root}/assets/console.css"></head>
        <body><main id="main" class="error-page"><h1>{title}</h1><p>{text}</p>
        <p class="hint">Transaction {System.Net.WebUtility.HtmlEncode(transactionId)}</p>
        <p><a href="{Root}/authorizations">Back to the console</a></p></main></body></html>
        """;
}
