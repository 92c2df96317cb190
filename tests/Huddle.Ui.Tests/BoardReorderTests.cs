using Microsoft.Playwright;

namespace Huddle.Ui.Tests;

/// <summary>
/// Reordering a lane by keyboard alone (WCAG 2.1.1: the drag has a keyboard equivalent): Tab to a
/// card's menu, Enter, the arrow keys to "Move up", Enter. Focus stays on the moved card, the move is
/// read out, and everyone else's board shows the new order.
/// </summary>
public sealed class BoardReorderTests(BrowserFixture browser)
{
    private const float Timeout = 10_000;

    private static ILocator NamesIn(IPage page, string laneId) =>
        page.Locator($"[data-testid=lane][data-lane-id={laneId}] [data-testid=card-name]");

    private static ILocator MenuButtonOf(IPage page, string laneId, string name) =>
        BrowserFixture.CardIn(page, laneId, name).Locator("[data-testid=card-menu] button");

    [Fact]
    public async Task A_card_moves_up_its_lane_by_keyboard_alone_keeps_focus_and_everyone_sees_the_new_order()
    {
        var team = await browser.CreateTeamAsync();
        foreach (var patient in team.Patients.Take(3))
        {
            await browser.AddCardAsync(team, patient, "lane-1");
        }

        var pcp = await browser.SignedInPageAsync(team.Pcp, BrowserFixture.Desktop);
        var bhc = await browser.SignedInPageAsync(team.Bhc, BrowserFixture.Desktop);
        await pcp.GotoAsync($"teams/{team.TeamId}/board");
        await bhc.GotoAsync($"teams/{team.TeamId}/board");
        await BrowserFixture.BoardIsLiveAsync(pcp);
        await BrowserFixture.BoardIsLiveAsync(bhc);
        string[] before = ["Alma Reyes", "Boris Ng", "Chloe Park"];
        await Assertions.Expect(NamesIn(pcp, "lane-1")).ToHaveTextAsync(before, new() { Timeout = Timeout });
        await Assertions.Expect(NamesIn(bhc, "lane-1")).ToHaveTextAsync(before, new() { Timeout = Timeout });

        // Tab from the top of the page to the last card's menu button.
        var chloe = MenuButtonOf(pcp, "lane-1", "Chloe Park");
        await pcp.Locator("body").FocusAsync();
        for (var presses = 0; presses < 80 && !await BrowserFixture.HasFocusAsync(chloe); presses++)
        {
            await pcp.Keyboard.PressAsync("Tab");
        }

        Assert.True(await BrowserFixture.HasFocusAsync(chloe), "Tab never reached Chloe Park's menu button.");
        await BrowserFixture.OpenMenuAtAsync(pcp, "[data-testid=move-up]", chloe);
        // The last card has nowhere further down to go: the menu does not offer it.
        await Assertions.Expect(pcp.Locator("[data-testid=move-down]")).ToHaveCountAsync(0);
        await pcp.ScreenshotAsync(new() { Path = BrowserFixture.ScreenshotPath("board-keyboard-reorder-menu.png"), Animations = ScreenshotAnimations.Disabled });
        await Axe.AssertNoViolationsAsync(pcp, "the board with a card's reorder menu open");
        await pcp.Keyboard.PressAsync("Enter");

        string[] once = ["Alma Reyes", "Chloe Park", "Boris Ng"];
        await Assertions.Expect(NamesIn(pcp, "lane-1")).ToHaveTextAsync(once, new() { Timeout = Timeout });
        // Focus went with the card, not to Boris Ng, who now holds the place it left.
        await Assertions.Expect(MenuButtonOf(pcp, "lane-1", "Chloe Park")).ToBeFocusedAsync(new() { Timeout = Timeout });
        await Assertions.Expect(pcp.Locator("[data-testid=board-announcer]")).ToHaveTextAsync("Moved Chloe Park to position 2 of 3 in To discuss");
        await Assertions.Expect(NamesIn(bhc, "lane-1")).ToHaveTextAsync(once, new() { Timeout = Timeout });

        // So the next move needs no hunting for the card: Enter, ArrowDown, Enter again.
        await BrowserFixture.OpenMenuAtAsync(pcp, "[data-testid=move-up]", MenuButtonOf(pcp, "lane-1", "Chloe Park"));
        await pcp.Keyboard.PressAsync("Enter");

        string[] twice = ["Chloe Park", "Alma Reyes", "Boris Ng"];
        await Assertions.Expect(NamesIn(pcp, "lane-1")).ToHaveTextAsync(twice, new() { Timeout = Timeout });
        await Assertions.Expect(MenuButtonOf(pcp, "lane-1", "Chloe Park")).ToBeFocusedAsync(new() { Timeout = Timeout });
        await Assertions.Expect(pcp.Locator("[data-testid=board-announcer]")).ToHaveTextAsync("Moved Chloe Park to position 1 of 3 in To discuss");
        await pcp.ScreenshotAsync(new() { Path = BrowserFixture.ScreenshotPath("board-keyboard-reordered.png"), Animations = ScreenshotAnimations.Disabled });

        // The other member's board follows live, and a reload reads the order back from the grain.
        await Assertions.Expect(NamesIn(bhc, "lane-1")).ToHaveTextAsync(twice, new() { Timeout = Timeout });
        await pcp.ReloadAsync();
        await BrowserFixture.BoardIsLiveAsync(pcp);
        await Assertions.Expect(NamesIn(pcp, "lane-1")).ToHaveTextAsync(twice, new() { Timeout = Timeout });

        // A render that replaces the moved card's button after the menu moved it (the drop container's
        // refresh, the board's change landing late) keeps the focus on the card, so the next Enter works;
        // focus the user moved elsewhere stays where they put it. The page's own focus keeper is run
        // directly here, and the render is a DOM replacement, so the race does not need to be won.
        var chloeId = await BrowserFixture.CardIn(pcp, "lane-1", "Chloe Park").GetAttributeAsync("data-card-id");
        await pcp.EvaluateAsync(
            "async id => (await import('./Boards/BoardView.razor.js')).focusCardWhenAt('lane-1', id, 0, 60000)", chloeId);
        await Assertions.Expect(MenuButtonOf(pcp, "lane-1", "Chloe Park")).ToBeFocusedAsync(new() { Timeout = Timeout });
        const string ReplaceButtonOfCard =
            "id => { const b = document.querySelector(`[data-card-id=\"${CSS.escape(id)}\"] [data-testid=card-menu] button`); b.replaceWith(b.cloneNode(true)); }";
        await pcp.EvaluateAsync(ReplaceButtonOfCard, chloeId);
        await Assertions.Expect(MenuButtonOf(pcp, "lane-1", "Chloe Park")).ToBeFocusedAsync(new() { Timeout = Timeout });
        await MenuButtonOf(pcp, "lane-1", "Alma Reyes").FocusAsync();
        await pcp.EvaluateAsync(ReplaceButtonOfCard, chloeId);
        // Two frames later the keeper has seen the replacement; focus must still be on Alma Reyes's button.
        await pcp.EvaluateAsync("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))");
        await Assertions.Expect(MenuButtonOf(pcp, "lane-1", "Alma Reyes")).ToBeFocusedAsync();
        await pcp.Context.CloseAsync();
        await bhc.Context.CloseAsync();
    }
}
