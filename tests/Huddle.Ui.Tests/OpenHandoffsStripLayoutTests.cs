using Microsoft.Playwright;

namespace Huddle.Ui.Tests;

/// <summary>
/// A clinician's own board (not the wall) keeps its full strip of open handoffs, one per line with the
/// patient (as the board names them), who asked, when, whom it waits for, and a Details link: on a desktop
/// and a phone it stays inside the screen's width.
/// </summary>
public sealed class OpenHandoffsStripLayoutTests(BrowserFixture browser)
{
    private const float Timeout = 10_000;

    [Theory]
    [MemberData(nameof(BrowserFixture.ScreenWidths), MemberType = typeof(BrowserFixture))]
    public async Task On_a_clinicians_board_six_open_handoffs_stay_inside_the_screens_width(int width)
    {
        var viewport = BrowserFixture.Screen(width);
        var team = await browser.CreateTeamAsync();
        await browser.AddCardAsync(team, team.Patients[0], "lane-1");
        await BusyMorning.RequestSixAsync(browser, team);

        var page = await browser.SignedInPageAsync(team.Pcp, viewport);
        await page.GotoAsync($"teams/{team.TeamId}/board");
        await BrowserFixture.BoardIsLiveAsync(page);
        await Assertions.Expect(page.Locator("[data-testid=open-handoff]")).ToHaveCountAsync(6, new() { Timeout = Timeout });
        await BrowserFixture.FullPageShotAsync(page, $"board-handoffs-{width}.png");
        // Each says for whom and whom it waits for: the patient as the board names them (Alma Reyes has a
        // card; a patient the page has not read is the room alone), the consultant still to answer.
        var first = page.Locator("[data-testid=open-handoff]").Filter(new() { HasText = "Exam 1" });
        await Assertions.Expect(first.Locator("[data-testid=open-handoff-patient]")).ToHaveTextAsync("Alma Reyes");
        await Assertions.Expect(first).ToContainTextAsync("Waiting for Bea Holt");
        await Assertions.Expect(page.Locator("[data-testid=open-handoff]").Filter(new() { HasText = "Exam 2" }).Locator("[data-testid=open-handoff-patient]")).ToHaveCountAsync(0);
        // Her card says a handoff is open before anyone asks for a second one.
        await Assertions.Expect(BrowserFixture.CardIn(page, "lane-1", "Alma Reyes").Locator("[data-testid=card-handoff-open]")).ToHaveTextAsync("Handoff open");

        var outside = await page.Locator("[data-testid=open-handoffs]").EvaluateAsync<int>(
            "s => [s, ...s.querySelectorAll('*')].filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5).length");
        Assert.Equal(0, outside);
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"),
            $"The board scrolls sideways at {width} px with six open handoffs.");
        await Axe.AssertNoViolationsAsync(page, $"the board with six open handoffs at {width} px");
        await page.Context.CloseAsync();
    }
}
