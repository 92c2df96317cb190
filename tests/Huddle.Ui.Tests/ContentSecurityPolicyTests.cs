using System.Text.RegularExpressions;
using Huddle.Testing;
using Microsoft.Playwright;

namespace Huddle.Ui.Tests;

/// <summary>
/// Huddle's Content Security Policy (docs/security.md, "Security headers") refuses any script but its
/// own, so it must not refuse anything Huddle itself does: every screen a clinician, a BHC's phone and the
/// room display use is walked with its live parts working (the board live, a card menu open, the patient
/// page, a chat thread, the inbox, the wall), and the browser reports no violation. A policy too strict
/// for the app shows here as a violation, one too loose in the headers test (tests/Huddle.Web.Tests).
/// </summary>
public sealed partial class ContentSecurityPolicyTests(BrowserFixture browser)
{
    private const float Timeout = 20_000;

    /// <summary>Records every violation the page reports, from before its first script runs.</summary>
    private const string RecordViolations = """
        window.__csp = [];
        document.addEventListener('securitypolicyviolation', e => window.__csp.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline') + ' at ' + location.pathname));
        """;

    private static async Task<IPage> WatchedAsync(Task<IPage> opening, List<string> console)
    {
        var page = await opening;
        page.Console += (_, message) =>
        {
            if (message.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase))
            {
                lock (console)
                {
                    console.Add(message.Text);
                }
            }
        };
        await page.Context.AddInitScriptAsync(RecordViolations);
        return page;
    }

    private static async Task AssertNoViolationsAsync(IPage page, List<string> console, string where)
    {
        var reported = await page.EvaluateAsync<string[]>("() => window.__csp ?? ['the recorder did not run']");
        lock (console)
        {
            Assert.True(reported.Length == 0 && console.Count == 0, $"The Content Security Policy refused something on {where}: {string.Join("; ", reported.Concat(console))}");
        }
    }

    [Fact]
    public async Task Every_screen_runs_under_the_policy_with_nothing_refused()
    {
        var team = await browser.CreateTeamAsync();
        await browser.RunAsync(team, "addCard", new { patientId = team.Patients[0], laneId = "lane-1" });
        var console = new List<string>();

        // A clinician at a desk: the board (live, a card's menu open), the patient page, a chat thread, the inbox.
        var page = await WatchedAsync(browser.SignedInPageAsync(team.Pcp, BrowserFixture.Desktop), console);
        try
        {
            var document = await page.GotoAsync($"teams/{team.TeamId}/board");
            var policy = await document!.HeaderValueAsync("content-security-policy");
            Assert.NotNull(policy);
            await BrowserFixture.BoardIsLiveAsync(page);
            // The import map is the one inline script, let in by this response's nonce.
            var nonce = NonceIn().Match(policy).Groups[1].Value;
            Assert.Equal(nonce, await page.EvaluateAsync<string>("() => document.querySelector('script[type=importmap]').nonce"));
            // MudBlazor's popover (its own script) opening; a late render may close it, so up to three clicks.
            var menuButton = page.Locator("[data-testid=card-menu] button").First;
            for (var click = 1; ; click++)
            {
                await menuButton.ClickAsync();
                try
                {
                    await Assertions.Expect(page.Locator("[role=menuitem]").First).ToBeVisibleAsync(new() { Timeout = 5_000 });
                    break;
                }
                catch (PlaywrightException) when (click < 3)
                {
                }
            }

            await AssertNoViolationsAsync(page, console, "the board with a card menu open");

            await page.GotoAsync($"teams/{team.TeamId}/patients/{team.Patients[0]}");
            await Assertions.Expect(page.Locator("[data-testid=pings][data-ready=true]")).ToHaveCountAsync(1, new() { Timeout = Timeout });
            await AssertNoViolationsAsync(page, console, "the patient page");

            await page.GotoAsync("threads");
            await Assertions.Expect(page.Locator("[data-testid=nav-chats][data-ready=true]")).ToHaveCountAsync(1, new() { Timeout = Timeout });
            await AssertNoViolationsAsync(page, console, "the chat list");

            await page.GotoAsync("inbox");
            await Assertions.Expect(page.Locator("[data-testid=inbox]")).ToHaveCountAsync(1, new() { Timeout = Timeout });
            await AssertNoViolationsAsync(page, console, "the inbox");
        }
        finally
        {
            await page.Context.CloseAsync();
        }

        // The BHC's phone, and the room display's wall.
        foreach (var (user, viewport, path, what) in new[]
                 {
                     (team.Bhc, BrowserFixture.Phone, "inbox", "the inbox on a phone"),
                     (team.Display, BrowserFixture.Tv, $"teams/{team.TeamId}/screen", "the wall"),
                 })
        {
            var screen = await WatchedAsync(browser.SignedInPageAsync(user, viewport), console);
            try
            {
                await screen.GotoAsync(path);
                if (path.EndsWith("screen", StringComparison.Ordinal))
                {
                    await BrowserFixture.BoardIsLiveAsync(screen);
                }
                else
                {
                    await Assertions.Expect(screen.Locator("[data-testid=inbox]")).ToHaveCountAsync(1, new() { Timeout = Timeout });
                }

                await AssertNoViolationsAsync(screen, console, what);
            }
            finally
            {
                await screen.Context.CloseAsync();
            }
        }
    }

    [GeneratedRegex("'nonce-([^']+)'")]
    private static partial Regex NonceIn();
}
