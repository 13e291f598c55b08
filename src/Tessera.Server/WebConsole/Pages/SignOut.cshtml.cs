using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Tessera.Server.WebConsole.Pages;

/// <summary>Ends the session: the cookie goes, and the next page asks for a key again.</summary>
public sealed class SignOutModel : PageModel
{
    public void OnGet()
    {
        // A page with the button, for a browser that follows a link here; signing out is a post.
    }

    public RedirectToPageResult OnPost()
    {
        ConsoleSession.End(HttpContext);
        return RedirectToPage("/SignIn");
    }
}
