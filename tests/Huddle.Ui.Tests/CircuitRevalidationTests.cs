using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Huddle.Web.Http;
using Microsoft.Playwright;

namespace Huddle.Ui.Tests;

/// <summary>
/// A live page re-checks its person (docs/security.md, "Administration"): an administrator whose
/// audit page is open, made a clinician by another administrator, is sent to sign in by the page
/// itself at its next check, with no click and no reload.
/// </summary>
public sealed class CircuitRevalidationTests(CircuitRevalidationTests.RevalidatingBrowser browser) : IClassFixture<CircuitRevalidationTests.RevalidatingBrowser>
{
    /// <summary>The app and Chromium, with <c>Huddle:Security:RevalidateEvery</c> at 2 s.</summary>
    public sealed class RevalidatingBrowser : BrowserFixture
    {
        protected override Dictionary<string, string?> OrleansSettings()
        {
            var settings = base.OrleansSettings();
            settings["Huddle:Security:RevalidateEvery"] = "00:00:02";
            return settings;
        }
    }

    [Fact]
    public async Task An_open_page_of_an_administrator_made_a_clinician_leaves_for_the_sign_in_page()
    {
        var (first, second) = (await browser.AdministratorAsync(), await browser.AdministratorAsync());
        var page = await browser.SignedInPageAsync(second, BrowserFixture.Desktop);
        await page.GotoAsync("admin/teams");
        await Assertions.Expect(page.Locator("[data-testid=admin-teams]")).ToBeVisibleAsync(new() { Timeout = 10_000 });
        // Interactive first (the layout's idle watch is ready once the circuit runs): the page was let in.
        await Assertions.Expect(page.Locator("[data-testid=idle-logoff][data-ready=true]")).ToHaveCountAsync(1, new() { Timeout = 15_000 });

        using (var admin = await browser.HttpAsAsync(first))
        using (var demoted = await admin.PutAsJsonAsync($"api/admin/users/{second}", new { displayName = "Now a nurse", kind = "clinician" }, HuddleJson.Options))
        {
            demoted.EnsureSuccessStatusCode();
        }

        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/signin"), new() { Timeout = 15_000 });
        Assert.Equal(0, await page.Locator("[data-testid=admin-teams]").CountAsync());
        await page.Context.CloseAsync();
    }
}
