using Microsoft.Playwright;

namespace Huddle.Ui.Tests;

/// <summary>A morning huddle run from the board in one browser, watched on the team-room screen in another.</summary>
public sealed class HuddleSessionTests(BrowserFixture browser)
{
    private const float Timeout = 10_000;

    [Fact]
    public async Task A_huddle_started_run_and_ended_on_the_board_shows_live_on_the_wall_screen()
    {
        var team = await browser.CreateTeamAsync();
        await browser.AddCardAsync(team, team.Patients[0], "lane-1");
        var pcp = await browser.SignedInPageAsync(team.Pcp);
        var wall = await browser.SignedInPageAsync(team.Display, landing: true);
        await pcp.GotoAsync($"teams/{team.TeamId}/board");
        await BrowserFixture.BoardIsLiveAsync(pcp);
        await BrowserFixture.BoardIsLiveAsync(wall);
        await Assertions.Expect(wall.Locator("[data-testid=huddle-state]")).ToContainTextAsync("not started", new() { Timeout = Timeout });

        await pcp.ClickAsync("[data-testid=start-huddle]");
        await Assertions.Expect(wall.Locator("[data-testid=huddle-state]")).ToContainTextAsync("Huddle running", new() { Timeout = Timeout });

        await pcp.Locator("[data-testid=attendee]").Filter(new() { HasText = "Bea Holt" }).ClickAsync();
        await Assertions.Expect(wall.Locator("[data-testid=attendee][data-present=true]")).ToHaveCountAsync(2, new() { Timeout = Timeout });

        // The form opens from "New action item" (closed, the side column stays short), its first field focused.
        var newItem = pcp.Locator("[data-testid=show-add-action-item]");
        await Assertions.Expect(newItem).ToHaveAttributeAsync("aria-expanded", "false", new() { Timeout = Timeout });
        await Assertions.Expect(pcp.Locator("[data-testid=action-item-form]")).ToHaveCountAsync(0);
        await newItem.ClickAsync();
        await Assertions.Expect(newItem).ToHaveAttributeAsync("aria-expanded", "true");
        await Assertions.Expect(pcp.Locator("input[data-testid=new-action-item], [data-testid=new-action-item] input").First).ToBeFocusedAsync(new() { Timeout = Timeout });
        await pcp.Locator("input[data-testid=new-action-item], [data-testid=new-action-item] input").First.FillAsync("Call shelter about bed tonight");
        await pcp.ClickAsync("[data-testid=add-action-item]");
        await Assertions.Expect(wall.Locator("[data-testid=action-item]").Filter(new() { HasText = "Call shelter about bed tonight" }))
            .ToBeVisibleAsync(new() { Timeout = Timeout });

        await pcp.Locator("input[data-testid=new-action-item], [data-testid=new-action-item] input").First.FillAsync("   ");
        await pcp.ClickAsync("[data-testid=add-action-item]");
        await Assertions.Expect(pcp.Locator(".mud-snackbar")).ToContainTextAsync("must not be empty", new() { Timeout = Timeout });

        // A patient on the panel but not on the board is added from the lane's menu.
        await pcp.Locator("[data-testid=add-card][data-lane-id=lane-1] button").ClickAsync();
        await pcp.Locator($"[data-testid=add-patient][data-patient-id={team.Patients[2]}]").ClickAsync();
        await Assertions.Expect(wall.Locator("[data-lane-id=lane-1] [data-testid=card]").Filter(new() { HasText = "C.P." }))
            .ToBeVisibleAsync(new() { Timeout = Timeout });

        // The menu closes before the clinician turns to the huddle bar.
        await Assertions.Expect(pcp.Locator("[data-testid=add-patient]")).ToHaveCountAsync(0, new() { Timeout = Timeout });

        await pcp.ClickAsync("[data-testid=end-huddle]");
        // Ended on the board, or an error said so: a failure names which (once, in CI, the wall still showed
        // the huddle running 10 s after the click, and nothing said why).
        var ended = pcp.Locator("[data-testid=huddle-state]").Filter(new() { HasText = "Huddle ended" });
        var error = pcp.Locator(".mud-snackbar").Filter(new() { HasNotText = "must not be empty" });
        await Assertions.Expect(ended.Or(error).First).ToBeVisibleAsync(new() { Timeout = Timeout });
        Assert.True(await ended.IsVisibleAsync(), $"Ending the huddle showed: {string.Join(" | ", await pcp.Locator(".mud-snackbar").AllInnerTextsAsync())}");
        // How long it lasted in words (a short test huddle: under a minute), not "0:12" read as a clock time.
        await Assertions.Expect(wall.Locator("[data-testid=huddle-state]")).ToHaveTextAsync("Huddle ended · 2 attended · lasted under a minute", new() { Timeout = Timeout });
        await Assertions.Expect(pcp.Locator("[data-testid=start-huddle]")).ToHaveCountAsync(0);
        await BrowserFixture.FullPageShotAsync(wall, "wall-after-huddle.png");
        await pcp.Context.CloseAsync();
        await wall.Context.CloseAsync();
    }
}
