using Microsoft.AspNetCore.Mvc;

namespace Tessera.Server.WebConsole.Pages;

/// <summary><c>/console</c>: the Authorizations page, the one the seed's administrator opens first.</summary>
public sealed class IndexModel : ConsolePage
{
    public RedirectToPageResult OnGet() => RedirectToPage("/Authorizations/Index");
}
