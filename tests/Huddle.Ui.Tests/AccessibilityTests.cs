using Huddle.Testing;
using Microsoft.Playwright;

namespace Huddle.Ui.Tests;

/// <summary>
/// axe-core on every page, on the team room's TV, a desktop and a phone: any WCAG 2.1 A/AA violation fails with the
/// rule, the element and how to fix it. The board is checked with a huddle running, action items and
/// notes on it, so every control it can show is there.
/// </summary>
public sealed class AccessibilityTests(BrowserFixture browser)
{
    private const float Timeout = 10_000;

    public static TheoryData<string, int> Pages()
    {
        var data = new TheoryData<string, int>();
        foreach (var page in new[] { "sign-in", "home", "board", "shared screen", "inbox", "patient", "handoff", "metrics" })
        {
            data.Add(page, BrowserFixture.Tv.Width);
            data.Add(page, BrowserFixture.Desktop.Width);
            data.Add(page, BrowserFixture.Phone.Width);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Pages))]
    public async Task Every_page_meets_WCAG_2_1_AA(string name, int width)
    {
        var viewport = new[] { BrowserFixture.Tv, BrowserFixture.Desktop, BrowserFixture.Phone }.Single(v => v.Width == width);
        var page = await OpenAsync(name, viewport);
        try
        {
            // Transitions (MudBlazor fades content in) are run to their end, so the shot shows what axe reads.
            await page.ScreenshotAsync(new() { Path = BrowserFixture.ScreenshotPath($"axe-{name.Replace(' ', '-')}-{width}.png"), FullPage = true, Animations = ScreenshotAnimations.Disabled });
            await Axe.AssertNoViolationsAsync(page, $"the {name} page at {width} px");
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }

    private async Task<IPage> OpenAsync(string name, ViewportSize viewport)
    {
        if (name == "sign-in")
        {
            var anonymous = await browser.AnonymousPageAsync(viewport);
            await anonymous.GotoAsync("signin");
            await Assertions.Expect(anonymous.Locator("[data-testid=identity]").First).ToBeVisibleAsync(new() { Timeout = Timeout });
            return anonymous;
        }

        var team = await browser.CreateTeamAsync();
        if (name == "home")
        {
            var home = await browser.SignedInPageAsync(team.Pcp, viewport);
            await home.GotoAsync("");
            await Assertions.Expect(home.Locator("[data-testid=team]")).ToBeVisibleAsync(new() { Timeout = Timeout });
            return home;
        }

        if (name is "inbox" or "patient" or "handoff" or "metrics")
        {
            // A warm handoff waiting for the BHC, and a finished one for the metrics.
            var waiting = await browser.RequestOneAsync(team);
            await browser.CompleteOneAsync(team);
            var (user, path, ready) = name switch
            {
                "inbox" => (team.Bhc, "inbox", "[data-testid=accept]"),
                "patient" => (team.Pcp, $"teams/{team.TeamId}/patients/{team.Patients[0]}", "[data-testid=patient-handoff]"),
                "handoff" => (team.Bhc, $"handoffs/{waiting}", "[data-testid=history]"),
                _ => (team.Pcp, $"teams/{team.TeamId}/metrics", "[data-testid=metrics-days]"),
            };
            var handoffs = await browser.SignedInPageAsync(user, viewport);
            await handoffs.GotoAsync(path);
            await Assertions.Expect(handoffs.Locator(ready).First).ToBeVisibleAsync(new() { Timeout = Timeout });
            return handoffs;
        }

        await browser.FillBoardAsync(team);
        var screen = name == "shared screen";
        var page = await browser.SignedInPageAsync(screen ? team.Display : team.Pcp, viewport);
        await page.GotoAsync($"teams/{team.TeamId}/{(screen ? "screen" : "board")}");
        await BrowserFixture.BoardIsLiveAsync(page);
        await Assertions.Expect(page.Locator("[data-testid=card]")).ToHaveCountAsync(3, new() { Timeout = Timeout });
        await Assertions.Expect(page.Locator("[data-testid=action-item]")).ToHaveCountAsync(3, new() { Timeout = Timeout });
        return page;
    }
}
