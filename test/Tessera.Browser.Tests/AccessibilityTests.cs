using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace Tessera.Browser.Tests;

/// <summary>
/// Every console page, with something on it: an axe-core scan finds no serious or critical violation, on a wide window
/// and on a phone's; on the narrow one nothing runs off the side. Keyboard use: a skip link first, the create form's
/// fields in the seed's order, and a focus ring wherever focus is.
/// </summary>
[Collection(Browser.Collection)]
public sealed class AccessibilityTests(Browser browser)
{
    private static readonly string[] Serious = ["serious", "critical"];

    [Fact]
    public async Task EveryPage_HasNoSeriousOrCriticalViolation_WideAndNarrow()
    {
        var tenant = await browser.NewAccountAsync();
        var groupId = await tenant.CreateGroupAsync("team-a");
        var archive = await tenant.CreateInstanceAsync("cloud-object-storage", "audit-archive", groupId);
        var policy = await tenant.AuthorizeAsync("atracker", "cloud-object-storage", "crn:v1:bluemix:public:cloud-object-storage::::serviceRole:ObjectWriter", archive.Guid);
        var serviceId = (await tenant.PostAsync("/v1/serviceids", new { account_id = tenant.AccountId, name = "nightly-export" })).GetProperty("id").GetString()!;
        (string Name, string Path)[] pages =
        [
            ("authorizations", "/console/authorizations"),
            ("create", "/console/authorizations/create"),
            ("create-prefilled", "/console/authorizations/create?source_service=atracker&target_service=cloud-object-storage&target_instance=" + archive.Guid),
            ("authorization-details", $"/console/authorizations/{policy}"),
            ("authorization-remove", $"/console/authorizations/{policy}/remove"),
            ("instances", "/console/instances"),
            ("instance-delete", $"/console/instances/{archive.Guid}/remove"),
            ("groups", "/console/groups"),
            ("group-delete", $"/console/groups/{groupId}/remove"),
            ("service-ids", "/console/serviceids"),
            ("service-id", $"/console/serviceids/{serviceId}"),
            ("service-id-delete", $"/console/serviceids/{serviceId}?delete=1"),
            ("api-keys", "/console/apikeys"),
            ("audit-trail", "/console/events"),
            ("who-can-access", $"/console/access?resource={Uri.EscapeDataString(archive.Crn)}&action=cloud-object-storage.object.put"),
        ];

        var problems = new List<string>();
        foreach (var (width, height, label) in new[] { (1280, 800, "wide"), (390, 844, "narrow") })
        {
            var (page, failures) = await browser.SignedInPageAsync(tenant.OwnerKey, new BrowserNewContextOptions { ViewportSize = new() { Width = width, Height = height } });
            foreach (var (name, path) in pages)
            {
                await page.GotoAsync(path);
                var scan = await page.RunAxe();
                problems.AddRange(scan.Violations.Where(v => Serious.Contains(v.Impact)).Select(v =>
                    $"{label} {path}: {v.Id} ({v.Impact}) {v.Help}: {string.Join(" | ", v.Nodes.Select(n => n.Html))}"));
                if (label == "narrow" && await page.EvaluateAsync<bool>("document.documentElement.scrollWidth > window.innerWidth + 1"))
                    problems.Add($"narrow {path}: the page is wider than the window");
                await Browser.ScreenshotAsync(page, $"{label}-{name}");
            }
            problems.AddRange(failures.Select(f => $"{label}: {f}"));
        }

        // The pages without a session: sign-in, and the not-found page (whose 404 is what it is for).
        var (signedOut, _) = await browser.NewPageAsync();
        foreach (var (name, path) in new[] { ("sign-in", "/console/signin"), ("not-found", "/console/no-such-page") })
        {
            await signedOut.GotoAsync(path);
            problems.AddRange((await signedOut.RunAxe()).Violations.Where(v => Serious.Contains(v.Impact)).Select(v => $"{path}: {v.Id} {v.Help}"));
            await Browser.ScreenshotAsync(signedOut, $"wide-{name}");
        }
        Assert.True(problems.Count == 0, string.Join('\n', problems));
    }

    [Fact]
    public async Task TheKeyboard_ReachesTheSkipLinkFirst_TheCreateFormInTheSeedsOrder_AndFocusIsAlwaysVisible()
    {
        var tenant = await browser.NewAccountAsync();
        var (page, _) = await browser.SignedInPageAsync(tenant.OwnerKey);
        await page.GotoAsync("/console/authorizations/create?source_service=atracker&target_service=cloud-object-storage");

        await page.Keyboard.PressAsync("Tab");
        Assert.Equal("Skip to content", await page.EvaluateAsync<string>("document.activeElement.textContent"));
        Assert.True(await page.EvaluateAsync<bool>("document.activeElement.getBoundingClientRect().top >= 0"), "the skip link is on screen when focused");
        await page.Keyboard.PressAsync("Enter");
        Assert.Equal("main", await page.EvaluateAsync<string>("document.activeElement.id"));

        var order = new List<string>();
        for (var i = 0; i < 30 && !order.Contains("authorize"); i++)
        {
            await page.Keyboard.PressAsync("Tab");
            var focused = await page.EvaluateAsync<string>("(() => { const e = document.activeElement; return e.id || (e.textContent.trim() === 'Authorize' ? 'authorize' : e.tagName); })()");
            order.Add(focused);
            // Wherever focus is, it shows: a solid ring at least 2px wide.
            var ring = await page.EvaluateAsync<string[]>("(() => { const s = getComputedStyle(document.activeElement); return [s.outlineStyle, s.outlineWidth]; })()");
            Assert.True(ring[0] != "none" && double.Parse(ring[1].TrimEnd('p', 'x'), System.Globalization.CultureInfo.InvariantCulture) >= 2,
                $"no visible focus on {focused}: {ring[0]} {ring[1]}");
        }
        string[] seedsOrder = ["source_account-this", "source_account_id", "source_service", "source_scope-all", "target_service", "target_scope-all", "role-ObjectWriter", "description", "authorize"];
        var positions = seedsOrder.Select(id => order.IndexOf(id)).ToList();
        Assert.True(positions.All(p => p >= 0) && positions.SequenceEqual(positions.Order()), $"focus order: {string.Join(", ", order)}");

        // The whole create by keyboard alone: a role with Space, Authorize with Enter.
        await page.FocusAsync("#role-ObjectWriter");
        await page.Keyboard.PressAsync("Space");
        await page.GetByRole(AriaRole.Button, new() { Name = "Authorize" }).FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.Locator("p.notice[role=status]")).ToContainTextAsync(" created.");
        Assert.Single(await tenant.AuthorizationsAsync());
    }
}
