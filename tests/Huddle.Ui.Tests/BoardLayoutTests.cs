using Huddle.Testing;
using Huddle.Web.Auth;
using Microsoft.Playwright;

namespace Huddle.Ui.Tests;

/// <summary>
/// The board as a clinician holds it: on a phone (390 × 844, where handoff pings land), on a desktop
/// (1400 px) and by keyboard alone. Screenshots go to TestResults/screenshots.
/// </summary>
public sealed class BoardLayoutTests(BrowserFixture browser)
{
    private const float Timeout = 10_000;

    private async Task<(TestTeam Team, IPage Page)> OpenBoardAsync(ViewportSize viewport, bool sharedScreen = false)
    {
        var team = await browser.CreateTeamAsync();
        await browser.FillBoardAsync(team);
        var page = await browser.SignedInPageAsync(sharedScreen ? team.Display : team.Pcp, viewport);
        await page.GotoAsync($"teams/{team.TeamId}/{(sharedScreen ? "screen" : "board")}");
        await BrowserFixture.BoardIsLiveAsync(page);
        await Assertions.Expect(page.Locator("[data-testid=card]")).ToHaveCountAsync(3, new() { Timeout = Timeout });
        return (team, page);
    }

    private static async Task<LocatorBoundingBoxResult> BoxOf(ILocator locator) =>
        await locator.BoundingBoxAsync() ?? throw new InvalidOperationException("The element has no box: it is not rendered.");

    [Fact]
    public async Task On_a_phone_the_lanes_show_their_cards_the_panels_follow_below_and_the_card_menu_moves_a_card()
    {
        var (team, page) = await OpenBoardAsync(BrowserFixture.Phone);
        await BrowserFixture.FullPageShotAsync(page, "board-390.png");
        // Who's free on a phone: the offline (the BHC, no browser open) are one count, not a line each.
        await Assertions.Expect(page.Locator($"[data-testid=member-presence][data-user-id={team.Bhc}]")).ToBeHiddenAsync(new() { Timeout = Timeout });
        await Assertions.Expect(page.Locator("[data-testid=presence-offline-narrow]")).ToHaveTextAsync("1 offline");
        await Assertions.Expect(page.Locator($"[data-testid=member-presence][data-user-id={team.Pcp}]")).ToBeVisibleAsync();
        // An action item nobody owns says when it is due without a dangling "· due".
        await Assertions.Expect(page.Locator("[data-testid=action-item]").Filter(new() { HasText = "Update registry outreach list" }).Locator("[data-testid=action-item-meta]"))
            .ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^\s*Due [A-Z][a-z]{2} \d{1,2}\s*$"));

        // The first lane fills most of the screen width, so its cards can be read; the page itself
        // never scrolls sideways (the lanes do, one lane at a time).
        var lane = await BoxOf(page.Locator("[data-testid=lane]").First);
        Assert.True(lane.Width >= 280, $"The first lane is {lane.Width} px wide on a 390 px phone.");
        await Assertions.Expect(BrowserFixture.CardIn(page, "lane-1", "Alma Reyes")).ToBeInViewportAsync();
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"),
            "The page scrolls sideways on a phone.");
        var lanes = await BoxOf(page.Locator(".lanes"));
        var actions = await BoxOf(page.Locator("[data-testid=action-items]"));
        Assert.True(actions.Y >= lanes.Y + lanes.Height, "The action items are not below the lanes.");

        await BrowserFixture.CardIn(page, "lane-1", "Alma Reyes").Locator("[data-testid=card-menu] button").ClickAsync();
        await page.Locator("[data-testid=move-to][data-lane-id=lane-2]").ClickAsync();

        var moved = BrowserFixture.CardIn(page, "lane-2", "Alma Reyes");
        await Assertions.Expect(moved).ToBeVisibleAsync(new() { Timeout = Timeout });
        await Assertions.Expect(BrowserFixture.CardIn(page, "lane-1", "Alma Reyes")).ToHaveCountAsync(0);
        await moved.ScrollIntoViewIfNeededAsync();
        await Assertions.Expect(moved).ToBeInViewportAsync();
        // The lanes' row is as tall as the lane in view: the second, with two cards, whole; scrolled back to
        // the first, now empty, no band is left under it (the row was as tall as the tallest lane).
        const string gapUnder = "([row, lane]) => row.getBoundingClientRect().bottom - lane.getBoundingClientRect().bottom";
        async Task<double> GapUnderAsync(string laneId) => await page.EvaluateAsync<double>(gapUnder,
            new[] { await page.Locator(".lanes").ElementHandleAsync(), await page.Locator($"[data-testid=lane][data-lane-id={laneId}]").ElementHandleAsync() });
        await Huddle.Testing.Eventually.Until(async () => await GapUnderAsync("lane-2") is >= 0 and <= 16, TimeSpan.FromSeconds(5),
            () => "the lanes' row to show the second lane whole");
        await page.ScreenshotAsync(new() { Path = BrowserFixture.ScreenshotPath("board-390-after-move.png"), Animations = ScreenshotAnimations.Disabled });
        await page.Locator(".lanes").EvaluateAsync("row => row.scrollTo({ left: 0 })");
        await Huddle.Testing.Eventually.Until(async () => await GapUnderAsync("lane-1") is >= 0 and <= 16, TimeSpan.FromSeconds(5),
            () => "the lanes' row to end under the empty first lane");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task On_a_desktop_every_lane_shows_beside_the_side_panels()
    {
        var (team, page) = await OpenBoardAsync(BrowserFixture.Desktop);
        // On a desktop every member is named, the offline too (a phone counts them).
        await Assertions.Expect(page.Locator($"[data-testid=member-presence][data-user-id={team.Bhc}]")).ToBeVisibleAsync(new() { Timeout = Timeout });
        await Assertions.Expect(page.Locator("[data-testid=presence-offline-narrow]")).ToBeHiddenAsync();

        var lanes = page.Locator("[data-testid=lane]");
        await Assertions.Expect(lanes).ToHaveCountAsync(4);
        for (var i = 0; i < 4; i++)
        {
            await Assertions.Expect(lanes.Nth(i)).ToBeInViewportAsync(new() { Ratio = 1 });
        }

        var lastLane = await BoxOf(lanes.Last);
        var actions = await BoxOf(page.Locator("[data-testid=action-items]"));
        Assert.True(actions.X >= lastLane.X + lastLane.Width, "The side panels are not beside the lanes at 1400 px.");
        await BrowserFixture.FullPageShotAsync(page, "board-1400.png");
        await page.Context.CloseAsync();
    }

    [Theory]
    [InlineData(1400)]
    [InlineData(390)]
    public async Task The_shared_screen_shows_every_lane(int width)
    {
        var (_, page) = await OpenBoardAsync(width == 390 ? BrowserFixture.Phone : BrowserFixture.Desktop, sharedScreen: true);

        await Assertions.Expect(page.Locator("[data-testid=lane]")).ToHaveCountAsync(4);
        await Assertions.Expect(BrowserFixture.CardIn(page, "lane-1", "A.R.")).ToBeInViewportAsync();
        await BrowserFixture.FullPageShotAsync(page, $"screen-{width}.png");
        await page.Context.CloseAsync();
    }

    [Theory]
    [InlineData(1400)]
    [InlineData(390)]
    public async Task A_long_flag_wraps_inside_its_chip_within_the_card_and_a_name_never_breaks(int width)
    {
        var team = await browser.CreateTeamAsync();
        await browser.AddFlaggedCardAsync(team, team.Patients[1], "lane-1", ("recentEdVisit", "chest pain, seen 2d ago at County ED"), ("phq9", "18 ↑"));
        var page = await browser.SignedInPageAsync(team.Pcp, width == 390 ? BrowserFixture.Phone : BrowserFixture.Desktop);
        await page.GotoAsync($"teams/{team.TeamId}/board");
        await BrowserFixture.BoardIsLiveAsync(page);
        var card = BrowserFixture.CardIn(page, "lane-1", "Boris Ng");
        await Assertions.Expect(card).ToBeVisibleAsync(new() { Timeout = Timeout });
        await card.ScreenshotAsync(new() { Path = BrowserFixture.ScreenshotPath($"card-long-flag-{width}.png"), Animations = ScreenshotAnimations.Disabled });

        // Every chip shows all its text (nothing clipped) and sits inside the card's padding.
        var problems = await card.EvaluateAsync<string[]>(@"card => {
            const box = card.getBoundingClientRect();
            return [...card.querySelectorAll('.mud-chip')].flatMap(chip => {
                const r = chip.getBoundingClientRect();
                const out = [];
                const text = chip.querySelector('.mud-chip-content') ?? chip;
                if (chip.scrollWidth > chip.clientWidth + 1 || text.scrollWidth > text.clientWidth + 1) out.push(`'${chip.textContent.trim()}' is cut off`);
                if (text.getBoundingClientRect().bottom > r.bottom + 1 || text.scrollHeight > text.clientHeight + 1) out.push(`'${chip.textContent.trim()}' spills out of its chip`);
                if (r.left < box.left + 4 || r.right > box.right - 4) out.push(`'${chip.textContent.trim()}' touches the card's edge`);
                return out;
            });
        }");
        Assert.Empty(problems);

        // The name is on one line.
        var name = card.Locator("[data-testid=card-name]");
        var lines = await name.EvaluateAsync<double>("e => e.getBoundingClientRect().height / parseFloat(getComputedStyle(e).lineHeight)");
        Assert.True(lines < 1.5, $"The name takes {lines:0.0} lines.");
        await Assertions.Expect(card.Locator("[data-testid=card-request-handoff]")).ToHaveTextAsync("Warm handoff");
        await page.Context.CloseAsync();
    }

    [Theory]
    [InlineData(390)]
    [InlineData(1920)]
    public async Task A_long_name_and_a_long_room_stay_inside_the_card_and_a_phone_shows_the_whole_name(int width)
    {
        // A review saw "Behavioral Health Ann" cut mid-word at the wall card's edge, on a phone a name cut to
        // "Maria Guadalupe Fernanda de los Á…" with the rest only in a title a phone never shows, and a long
        // clinician's name in the attendance and "Who's free" chips making a phone's page scroll sideways.
        var team = await browser.CreateTeamAsync();
        var (patient, name, room) = ($"{team.Patients[0]}-long", "Maria Guadalupe Fernanda de los Ángeles Castillo", "Behavioral Health Annex, consult room 12B");
        await browser.PutTeamAsync(team.TeamId, new DevTeamRequest("Long names",
            [new(team.Pcp, "Dr. Maximiliana Alexandrovna Fitzgerald-Oyelaran", Huddle.Contracts.CareTeams.CareTeamRole.Pcp), new(team.Bhc, "Bea Holt", Huddle.Contracts.CareTeams.CareTeamRole.Bhc)],
            [team.Display], [new(patient, name, room)]));
        await browser.AddCardAsync(team, patient, "lane-1");
        // The huddle running: its attendance chips name the clinicians (a long name widened a phone's page to 491 px).
        await browser.RunAsync(team, "startHuddle", new { });
        var wall = width == 1920;
        var page = await browser.SignedInPageAsync(wall ? team.Display : team.Pcp, wall ? BrowserFixture.Tv : BrowserFixture.Phone);
        await page.GotoAsync($"teams/{team.TeamId}/{(wall ? "screen" : "board")}");
        await BrowserFixture.BoardIsLiveAsync(page);
        var card = page.Locator("[data-testid=lane][data-lane-id=lane-1] [data-testid=card]").First;
        await Assertions.Expect(card).ToBeVisibleAsync(new() { Timeout = Timeout });
        await card.ScreenshotAsync(new() { Path = BrowserFixture.ScreenshotPath($"card-long-name-{width}.png"), Animations = ScreenshotAnimations.Disabled });

        // The room ends inside the card, in an ellipsis when it must, and its title holds it whole.
        var roomEl = card.Locator("[data-testid=card-room]");
        await Assertions.Expect(roomEl).ToHaveAttributeAsync("title", room);
        var outside = await card.EvaluateAsync<double>("c => c.querySelector('[data-testid=card-room]').getBoundingClientRect().right - c.getBoundingClientRect().right");
        Assert.True(outside <= -4, $"The room ends {outside:0} px past the card's inner edge.");
        Assert.Equal("ellipsis", await roomEl.EvaluateAsync<string>("e => getComputedStyle(e).textOverflow"));
        if (!wall)
        {
            // The whole name is shown on a phone: wrapped, not cut.
            var cut = await card.Locator("[data-testid=card-name]").EvaluateAsync<bool>("e => e.scrollWidth > e.clientWidth + 1");
            Assert.False(cut, "The name is cut off on a phone.");
            await Assertions.Expect(page.Locator("[data-testid=attendee]")).Not.ToHaveCountAsync(0, new() { Timeout = Timeout });
            await BrowserFixture.FullPageShotAsync(page, "board-long-names-390.png");
            var wide = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth");
            Assert.True(wide <= 390, $"The page is {wide} px wide at 390: it scrolls sideways.");
        }

        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_card_moves_to_another_lane_by_keyboard_alone()
    {
        var (_, page) = await OpenBoardAsync(BrowserFixture.Desktop);
        var menuButton = BrowserFixture.CardIn(page, "lane-1", "Alma Reyes").Locator("[data-testid=card-menu] button");

        // Tab from the top of the page until the card's menu button has focus.
        await page.Locator("body").FocusAsync();
        var reached = false;
        for (var presses = 0; presses < 80 && !reached; presses++)
        {
            await page.Keyboard.PressAsync("Tab");
            reached = await menuButton.EvaluateAsync<bool>("b => b === document.activeElement");
        }

        Assert.True(reached, "Tab never reached the card's menu button.");
        var outline = await menuButton.EvaluateAsync<string>("b => { const s = getComputedStyle(b); return s.outlineStyle + ' ' + s.outlineWidth; }");
        Assert.False(outline.StartsWith("none", StringComparison.Ordinal), $"The focused menu button shows no focus outline ({outline}).");
        await page.ScreenshotAsync(new() { Path = BrowserFixture.ScreenshotPath("board-keyboard-focus.png"), Animations = ScreenshotAnimations.Disabled });

        await BrowserFixture.OpenMenuAtAsync(page, "[data-testid=move-to][data-lane-id=lane-2]", menuButton);

        await page.ScreenshotAsync(new() { Path = BrowserFixture.ScreenshotPath("board-keyboard-menu.png"), Animations = ScreenshotAnimations.Disabled });
        await Axe.AssertNoViolationsAsync(page, "the board with a card's menu open");
        await page.Keyboard.PressAsync("Enter");

        await Assertions.Expect(BrowserFixture.CardIn(page, "lane-2", "Alma Reyes")).ToBeVisibleAsync(new() { Timeout = Timeout });
        await Assertions.Expect(BrowserFixture.CardIn(page, "lane-1", "Alma Reyes")).ToHaveCountAsync(0);
        // Focus follows the card, so the next move needs no hunting for it.
        await Assertions.Expect(BrowserFixture.CardIn(page, "lane-2", "Alma Reyes").Locator("[data-testid=card-menu] button")).ToBeFocusedAsync(new() { Timeout = Timeout });
        await Assertions.Expect(page.Locator("[data-testid=board-announcer]")).ToContainTextAsync("Alma Reyes moved to Needs BH today");
        await page.Context.CloseAsync();
    }
}
