using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Tessera.Management;
using Tessera.Server.Http;

namespace Tessera.Server.WebConsole;

/// <summary>
/// A page for a signed-in user. Without a good session it sends the browser to sign in and back; with one, the page
/// acts as its caller through the rule book (<see cref="Call"/>), exactly as the API would for the same token.
/// </summary>
public abstract class ConsolePage : PageModel
{
    /// <summary>A message that survives the redirect after a change ("Authorization created").</summary>
    [TempData]
    public string? Notice { get; set; }

    /// <summary>Who is signed in.</summary>
    public Caller Caller => Caller.From(User);

    /// <summary>This request as the rule book sees it: its caller, and the method and path its audit event records.</summary>
    protected CallContext Call => HttpContext.Call();

    public override async Task OnPageHandlerExecutionAsync(PageHandlerExecutingContext context, PageHandlerExecutionDelegate next)
    {
        if (User.Identity?.IsAuthenticated != true)
        {
            context.Result = SignInFirst();
            return;
        }
        await next();
    }

    private RedirectToPageResult SignInFirst()
    {
        var ended = ConsoleSession.HasEnded(HttpContext);
        if (ended)
            ConsoleSession.End(HttpContext);
        // Back to what was asked for after signing in; a form's post becomes its page again.
        var back = HttpMethods.IsGet(Request.Method) ? Request.Path + Request.QueryString : Request.Path.ToString();
        return RedirectToPage("/SignIn", new { returnUrl = back, ended = ended ? "1" : null });
    }

    /// <summary>Shows a rule-book problem beside the form field it concerns (<paramref name="fieldOf"/> maps the rule book's field to the form's), or above the form.</summary>
    protected void Show(Problem problem, Func<string?, string?>? fieldOf = null) =>
        ModelState.AddModelError(fieldOf?.Invoke(problem.Field) ?? string.Empty, problem.Message);

    /// <summary>
    /// A text field the form needs, trimmed; null, with the error shown at the field, when it is empty or too long. (The
    /// shape of input, as the API's body readers check it; whatever the rules decide is the rule book's.)
    /// </summary>
    protected string? Required(string field, string? value, int maxLength, string what)
    {
        value = value?.Trim();
        if (string.IsNullOrEmpty(value))
            ModelState.AddModelError(field, $"Enter the {what}.");
        else if (value.Length > maxLength)
            ModelState.AddModelError(field, $"The {what} must be at most {maxLength} characters.");
        else
            return value;
        return null;
    }

    /// <summary>The page again after a change, with its notice.</summary>
    protected RedirectToPageResult Done(string notice, string page, object? routeValues = null)
    {
        Notice = notice;
        return RedirectToPage(page, routeValues);
    }

    /// <summary>The console's not-found page, for a thing that does not exist or that the caller may not see (alike, as in the API).</summary>
    protected static NotFoundResult Missing() => new();
}
