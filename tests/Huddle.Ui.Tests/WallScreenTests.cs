using Huddle.Testing;
using Microsoft.Playwright;

namespace Huddle.Ui.Tests;

/// <summary>
/// The team room's TV as the README sets it up: open the app, pick the room screen, and the wall fills
/// a 1920 × 1080 screen in type read from across the room, with no clinician controls anywhere.
/// </summary>
public sealed class WallScreenTests(BrowserFixture browser)
{
    private const float Timeout = 10_000;

    [Fact]
    public async Task The_room_screen_signed_in_from_the_apps_address_lands_on_its_wall_and_has_no_clinician_controls()
    {
        var page = await browser.AnonymousPageAsync(BrowserFixture.Tv);
        await page.GotoAsync("");
        await page.Locator("[data-testid=identity][data-user-id=d-maple-room]").ClickAsync(new() { Timeout = Timeout });

        await page.WaitForURLAsync(url => url.EndsWith("/teams/team-maple/screen", StringComparison.Ordinal), new() { Timeout = Timeout });
        await BrowserFixture.BoardIsLiveAsync(page);

        // Its browser's home page (the app's address) is the wall too, not a list of teams.
        await page.GotoAsync("");
        await page.WaitForURLAsync(url => url.EndsWith("/teams/team-maple/screen", StringComparison.Ordinal), new() { Timeout = Timeout });
        await BrowserFixture.BoardIsLiveAsync(page);

        // The inbox's address shows no status to set and no pings; the app bar has no handoff controls.
        await page.GotoAsync("inbox");
        await Assertions.Expect(page.Locator("[data-testid=display-no-inbox]")).ToBeVisibleAsync(new() { Timeout = Timeout });
        await Assertions.Expect(page.Locator("[data-testid=signed-in-as]")).ToBeAttachedAsync();
        await Assertions.Expect(page.Locator("[data-testid=nav-inbox]")).ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator("[data-testid=allow-notifications]")).ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator("[data-testid=pings]")).ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator("[data-testid=presence]")).ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator("[data-testid=inbox]")).ToHaveCountAsync(0);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task At_1920_by_1080_the_wall_fills_the_screen_in_type_read_from_across_the_room()
    {
        var team = await browser.CreateTeamAsync();
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        await browser.RunAsync(team, "addCard", new { patientId = team.Patients[0], laneId = "lane-1", ownerId = team.Bhc, due = today });
        await browser.RunAsync(team, "addCard", new { patientId = team.Patients[1], laneId = "lane-2", ownerId = team.Pcp });
        using (var http = await browser.HttpAsAsync(team.Pcp))
        {
            // A flag on the first card, so its chip can be measured.
            var board = await System.Net.Http.Json.HttpClientJsonExtensions.GetFromJsonAsync<System.Text.Json.JsonElement>(http, $"api/teams/{team.TeamId}/board");
            var cardId = board.GetProperty("cards").EnumerateArray().First(c => c.GetProperty("patientId").GetString() == team.Patients[0]).GetProperty("id").GetString();
            await browser.RunAsync(team, "setCardFlags", new { cardId, flags = new[] { new { kind = "phq9", detail = "18 ↑" } } });
        }

        var page = await browser.SignedInPageAsync(team.Display, BrowserFixture.Tv);
        await page.WaitForURLAsync(url => url.EndsWith($"/teams/{team.TeamId}/screen", StringComparison.Ordinal), new() { Timeout = Timeout });
        await BrowserFixture.BoardIsLiveAsync(page);
        await Assertions.Expect(page.Locator("[data-testid=card]")).ToHaveCountAsync(2, new() { Timeout = Timeout });
        await page.ScreenshotAsync(new() { Path = BrowserFixture.ScreenshotPath("wall-1920.png"), Animations = ScreenshotAnimations.Disabled });

        // From 4 m a 1080p TV's 14-16 px is marginal: every word the room reads is at least 24 px.
        foreach (var (selector, least) in new[]
                 {
                     ("[data-testid=board-day]", 32.0), ("[data-testid=huddle-state]", 32.0), ("[data-testid=card-name]", 32.0),
                     ("[data-testid=card] .mud-chip", 24.0), ("[data-testid=card-owner]", 24.0), ("[data-testid=card-due]", 24.0),
                 })
        {
            var size = await page.Locator(selector).First.EvaluateAsync<double>("e => parseFloat(getComputedStyle(e).fontSize)");
            Assert.True(size >= least, $"{selector} is {size} px on the 1920 × 1080 wall; it should be at least {least} px.");
        }

        // The lanes reach the bottom of the screen (no empty bottom fifth), and nothing scrolls.
        var lane = await page.Locator("[data-testid=lane]").First.BoundingBoxAsync();
        Assert.NotNull(lane);
        Assert.True(lane.Y + lane.Height >= 1080 * 0.95, $"The lanes end at {lane.Y + lane.Height} px of 1080.");
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollHeight <= window.innerHeight + 1 && document.documentElement.scrollWidth <= window.innerWidth"),
            "The wall scrolls at 1920 × 1080: a TV cannot scroll.");
        await page.Context.CloseAsync();
    }
}
