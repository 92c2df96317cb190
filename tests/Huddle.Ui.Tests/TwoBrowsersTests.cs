using Microsoft.Playwright;

namespace Huddle.Ui.Tests;

/// <summary>Two people on one board in two real browsers: what one does, the other sees.</summary>
public sealed class TwoBrowsersTests(BrowserFixture browser)
{
    private const float Timeout = 10_000;

    private static ILocator CardIn(IPage page, string laneId, string name) =>
        page.Locator($"[data-lane-id={laneId}] [data-testid=card]").Filter(new() { HasText = name });

    [Fact]
    public async Task A_card_dragged_in_one_browser_moves_in_the_other()
    {
        var chen = await browser.SignedInPageAsync("u-chen");
        var okafor = await browser.SignedInPageAsync("u-okafor");
        await chen.GotoAsync("teams/team-maple/board");
        await okafor.GotoAsync("teams/team-maple/board");
        await Assertions.Expect(CardIn(okafor, "lane-1", "James Whitfield")).ToBeVisibleAsync(new() { Timeout = Timeout });
        await Assertions.Expect(CardIn(chen, "lane-1", "James Whitfield")).ToBeVisibleAsync(new() { Timeout = Timeout });
        var version = await okafor.Locator("[data-testid=board]").GetAttributeAsync("data-version");

        await CardIn(chen, "lane-1", "James Whitfield").DragToAsync(chen.Locator("[data-lane-id=lane-2] .mud-drop-zone"));

        await Assertions.Expect(CardIn(okafor, "lane-2", "James Whitfield")).ToBeVisibleAsync(new() { Timeout = Timeout });
        await Assertions.Expect(CardIn(okafor, "lane-1", "James Whitfield")).ToHaveCountAsync(0);
        Assert.NotEqual(version, await okafor.Locator("[data-testid=board]").GetAttributeAsync("data-version"));
        await okafor.ScreenshotAsync(new() { Path = BrowserFixture.ScreenshotPath("board-after-remote-move.png"), FullPage = true });
        await chen.Context.CloseAsync();
        await okafor.Context.CloseAsync();
    }

    [Fact]
    public async Task The_card_menu_moves_a_card_and_the_shared_screen_follows_with_initials_only()
    {
        var nakamura = await browser.SignedInPageAsync("u-nakamura");
        var wall = await browser.SignedInPageAsync("d-maple-room");
        await nakamura.GotoAsync("teams/team-maple/board");
        await Assertions.Expect(wall).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/teams/team-maple/screen$"));
        await Assertions.Expect(CardIn(wall, "lane-3", "A.N.")).ToBeVisibleAsync(new() { Timeout = Timeout });

        var card = CardIn(nakamura, "lane-3", "Amara Nwosu");
        await card.Locator("[data-testid=card-menu] button").ClickAsync();
        await nakamura.Locator("[data-testid=move-to][data-lane-id=lane-4]").ClickAsync();

        await Assertions.Expect(CardIn(wall, "lane-4", "A.N.")).ToBeVisibleAsync(new() { Timeout = Timeout });
        var wallText = await wall.Locator("[data-testid=board]").InnerTextAsync();
        Assert.DoesNotContain("Amara", wallText, StringComparison.Ordinal);
        Assert.DoesNotContain("Rosa Delgado", wallText, StringComparison.Ordinal);
        await wall.ScreenshotAsync(new() { Path = BrowserFixture.ScreenshotPath("shared-screen.png"), FullPage = true });
        await nakamura.Context.CloseAsync();
        await wall.Context.CloseAsync();
    }
}
