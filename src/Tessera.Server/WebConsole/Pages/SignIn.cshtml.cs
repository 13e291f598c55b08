using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Tessera.Management;
using Tessera.Server.Identity;
using Tessera.Storage;

namespace Tessera.Server.WebConsole.Pages;

/// <summary>Sign-in with an API key, exchanged exactly as <c>POST /identity/token</c> exchanges it.</summary>
public sealed class SignInModel : PageModel
{
    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    [BindProperty(SupportsGet = true, Name = "ended")]
    public string? EndedFlag { get; set; }

    public bool Ended => EndedFlag == "1";

    public void OnGet()
    {
        // A page reached with an ended session has already dropped its cookie.
    }

    public async Task<IActionResult> OnPostAsync([FromForm(Name = "apikey")] string? apiKey, [FromServices] ITesseraStore store,
        [FromServices] Refusals refusals, CancellationToken cancellationToken)
    {
        // Resolved here rather than injected: the token service is internal to the server, a page model is public.
        var tokens = HttpContext.RequestServices.GetRequiredService<TokenService>();
        if (await IdentityApi.ExchangeAsync(HttpContext, apiKey?.Trim() ?? string.Empty, store, tokens, refusals, cancellationToken) is not { } issued)
        {
            ModelState.AddModelError("apikey", "No live API key matches. Check the key and try again.");
            return Page();
        }
        ConsoleSession.Start(HttpContext, issued);
        // Only back into the console itself: a sign-in link must not send a user anywhere else.
        return ReturnUrl is { } back && Url.IsLocalUrl(back) && back.StartsWith(ConsoleSetup.Root + "/", StringComparison.Ordinal)
            ? LocalRedirect(back)
            : RedirectToPage("/Authorizations/Index");
    }
}
