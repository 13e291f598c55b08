using Microsoft.Playwright;

namespace Tessera.Browser.Tests;

/// <summary>The console's session: sign-in with an API key, its cookie, its headers, sign-out, an ended session, and forms that only its own pages can post.</summary>
[Collection(Browser.Collection)]
public sealed class ConsoleSessionTests(Browser browser)
{
    [Fact]
    public async Task SignIn_WithAWrongKey_SaysSoAtTheField_AndWithTheRightOne_OpensAuthorizations()
    {
        var tenant = await browser.NewAccountAsync();
        var (page, _) = await browser.NewPageAsync();

        await page.GotoAsync("/console/authorizations");
        Assert.EndsWith("/console/signin?returnUrl=%2Fconsole%2Fauthorizations", page.Url, StringComparison.Ordinal);
        await page.GetByLabel("API key").FillAsync("not-a-key-of-anyone");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        var key = page.GetByLabel("API key");
        Assert.Equal("true", await key.GetAttributeAsync("aria-invalid"));
        Assert.Contains("No live API key matches", await page.Locator("#apikey-error").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Empty(await page.Context.CookiesAsync().ContinueWith(t => t.Result.Where(c => c.Name == "tessera-console").ToList()));

        await key.FillAsync(tenant.OwnerKey);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.WaitForURLAsync("**/console/authorizations");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Authorizations", Level = 1 })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator(".session .account")).ToHaveTextAsync($"account {tenant.AccountId}");
        await Browser.ScreenshotAsync(page, "console-empty-authorizations");
    }

    [Fact]
    public async Task TheSession_IsAnHttpOnlyStrictCookieForTheConsoleOnly_AndPagesCarryTheSecurityHeaders()
    {
        var tenant = await browser.NewAccountAsync();
        var (page, _) = await browser.SignedInPageAsync(tenant.OwnerKey);

        var session = Assert.Single(await page.Context.CookiesAsync(), c => c.Name == "tessera-console");
        Assert.True(session.HttpOnly);
        Assert.Equal(SameSiteAttribute.Strict, session.SameSite);
        Assert.Equal("/console", session.Path);
        Assert.False(session.Secure); // served over plain HTTP here; over TLS the cookie is Secure
        Assert.Equal(-1, session.Expires); // a session cookie: nothing kept once the browser closes

        var response = await page.GotoAsync("/console/authorizations");
        var headers = await response!.AllHeadersAsync();
        var policy = headers["content-security-policy"];
        Assert.Contains("script-src 'self'", policy, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-inline", policy, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", policy, StringComparison.Ordinal);
        Assert.Equal("no-referrer", headers["referrer-policy"]);
        Assert.Equal("DENY", headers["x-frame-options"]);
        Assert.Equal("nosniff", headers["x-content-type-options"]);
        // No inline script or style anywhere in the page: the policy would block it.
        Assert.Equal(0, await page.Locator("script:not([src]), style, [style]").CountAsync());

        // Behind a TLS proxy on this host (X-Forwarded-Proto from a loopback peer), every console cookie is Secure.
        var proxied = await page.APIRequest.GetAsync("/console/signin", new() { Headers = new Dictionary<string, string> { ["X-Forwarded-Proto"] = "https" } });
        var setCookies = proxied.HeadersArray.Where(h => h.Name.Equals("set-cookie", StringComparison.OrdinalIgnoreCase)).Select(h => h.Value).ToList();
        Assert.NotEmpty(setCookies);
        Assert.All(setCookies, c => Assert.Contains("secure", c, StringComparison.OrdinalIgnoreCase));

        // The cookie never authenticates the API: a page of another origin could otherwise make the browser call it.
        var api = await page.APIRequest.GetAsync($"/v2/policies?account_id={tenant.AccountId}");
        Assert.Equal(401, api.Status);
    }

    [Fact]
    public async Task SignOut_EndsTheSession_AndThePagesAskForAKeyAgain()
    {
        var tenant = await browser.NewAccountAsync();
        var (page, _) = await browser.SignedInPageAsync(tenant.OwnerKey);

        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await page.WaitForURLAsync("**/console/signin");
        Assert.DoesNotContain(await page.Context.CookiesAsync(), c => c.Name == "tessera-console");
        await page.GotoAsync("/console/instances");
        Assert.Contains("/console/signin?returnUrl=%2Fconsole%2Finstances", page.Url, StringComparison.Ordinal);

        // Signing in again goes back where the user was going.
        await page.GetByLabel("API key").FillAsync(tenant.OwnerKey);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.WaitForURLAsync("**/console/instances");
    }

    [Fact]
    public async Task AnEndedSession_AsksAgain_SayingWhy()
    {
        var tenant = await browser.NewAccountAsync();
        var key = await tenant.PostAsync("/v1/apikeys", new { name = "short-lived", iam_id = tenant.OwnerIamId });
        var (page, _) = await browser.SignedInPageAsync(key.GetProperty("apikey").GetString()!);

        // The key the session was exchanged for is deleted: its token, and so the session, end at once. (An expired token
        // is refused on the same path, VerifiedTokens answering no; TokenExpiryTests cover the expiry itself.)
        using (await tenant.Api.DeleteAsync($"/v1/apikeys/{key.GetProperty("id").GetString()}"))
        {
        }
        await page.GotoAsync("/console/groups");

        Assert.Contains("/console/signin", page.Url, StringComparison.Ordinal);
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Your session has ended");
        Assert.DoesNotContain(await page.Context.CookiesAsync(), c => c.Name == "tessera-console");
    }

    [Fact]
    public async Task AFormPostedWithoutItsAntiforgeryToken_IsRefused_AndChangesNothing()
    {
        var tenant = await browser.NewAccountAsync();
        var (page, _) = await browser.SignedInPageAsync(tenant.OwnerKey);

        // The session cookie goes with the request (as a forged cross-site post would carry it, were it not SameSite=Strict).
        var forged = await page.APIRequest.PostAsync("/console/authorizations/create", new()
        {
            Form = FormOf(page, ("source_service", "atracker"), ("target_service", "cloud-object-storage"),
                ("roles", "crn:v1:bluemix:public:iam::::serviceRole:Writer")),
        });
        Assert.Equal(400, forged.Status);
        Assert.Contains("did not come from this console", await forged.TextAsync(), StringComparison.Ordinal);
        var groupForm = await page.APIRequest.PostAsync("/console/groups", new() { Form = FormOf(page, ("name", "forged")) });
        Assert.Equal(400, groupForm.Status);

        Assert.Empty(await tenant.AuthorizationsAsync());
        var groups = (await tenant.GetAsync($"/v2/resource_groups?account_id={tenant.AccountId}")).GetProperty("resources").EnumerateArray();
        Assert.DoesNotContain(groups, g => g.GetProperty("name").GetString() == "forged");
    }

    private static IFormData FormOf(IPage page, params (string Name, string Value)[] fields)
    {
        var form = page.APIRequest.CreateFormData();
        foreach (var (name, value) in fields)
            form.Append(name, value);
        return form;
    }
}
