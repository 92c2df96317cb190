using Microsoft.Playwright;

namespace Huddle.Ui.Tests;

/// <summary>Two people on one board in two real browsers: what one does, the other sees. Each test has a team of its own.</summary>
public sealed class TwoBrowsersTests(BrowserFixture browser)
{
    private const float Timeout = 10_000;

    [Fact]
    public async Task A_card_dragged_in_one_browser_moves_in_the_other()
    {
        var team = await browser.CreateTeamAsync();
        await browser.AddCardAsync(team, team.Patients[0], "lane-1");
        var pcp = await browser.SignedInPageAsync(team.Pcp);
        var bhc = await browser.SignedInPageAsync(team.Bhc);
        await pcp.GotoAsync($"teams/{team.TeamId}/board");
        await bhc.GotoAsync($"teams/{team.TeamId}/board");
        await BrowserFixture.BoardIsLiveAsync(pcp);
        await BrowserFixture.BoardIsLiveAsync(bhc);
        await Assertions.Expect(BrowserFixture.CardIn(bhc, "lane-1", "Alma Reyes")).ToBeVisibleAsync(new() { Timeout = Timeout });
        await Assertions.Expect(BrowserFixture.CardIn(pcp, "lane-1", "Alma Reyes")).ToBeVisibleAsync(new() { Timeout = Timeout });
        var version = await bhc.Locator("[data-testid=board]").GetAttributeAsync("data-version");

        await BrowserFixture.CardIn(pcp, "lane-1", "Alma Reyes").DragToAsync(pcp.Locator("[data-lane-id=lane-2] .mud-drop-zone"));

        await Assertions.Expect(BrowserFixture.CardIn(bhc, "lane-2", "Alma Reyes")).ToBeVisibleAsync(new() { Timeout = Timeout });
        await Assertions.Expect(BrowserFixture.CardIn(bhc, "lane-1", "Alma Reyes")).ToHaveCountAsync(0);
        Assert.NotEqual(version, await bhc.Locator("[data-testid=board]").GetAttributeAsync("data-version"));
        await BrowserFixture.FullPageShotAsync(bhc, "board-after-remote-move.png");
        await pcp.Context.CloseAsync();
        await bhc.Context.CloseAsync();
    }

    [Fact]
    public async Task The_card_menu_moves_a_card_and_the_shared_screen_follows_with_initials_only()
    {
        var team = await browser.CreateTeamAsync();
        await browser.AddCardAsync(team, team.Patients[1], "lane-3");
        var bhc = await browser.SignedInPageAsync(team.Bhc);
        var wall = await browser.SignedInPageAsync(team.Display, landing: true);
        await bhc.GotoAsync($"teams/{team.TeamId}/board");
        await BrowserFixture.BoardIsLiveAsync(bhc);
        await Assertions.Expect(wall).ToHaveURLAsync(new System.Text.RegularExpressions.Regex($"/teams/{team.TeamId}/screen$"));
        await Assertions.Expect(BrowserFixture.CardIn(wall, "lane-3", "B.N.")).ToBeVisibleAsync(new() { Timeout = Timeout });

        var card = BrowserFixture.CardIn(bhc, "lane-3", "Boris Ng");
        await card.Locator("[data-testid=card-menu] button").ClickAsync();
        await bhc.Locator("[data-testid=move-to][data-lane-id=lane-4]").ClickAsync();

        await Assertions.Expect(BrowserFixture.CardIn(wall, "lane-4", "B.N.")).ToBeVisibleAsync(new() { Timeout = Timeout });
        var wallText = await wall.Locator("[data-testid=board]").InnerTextAsync();
        Assert.DoesNotContain("Boris", wallText, StringComparison.Ordinal);
        await BrowserFixture.FullPageShotAsync(wall, "shared-screen.png");
        await bhc.Context.CloseAsync();
        await wall.Context.CloseAsync();
    }
}
