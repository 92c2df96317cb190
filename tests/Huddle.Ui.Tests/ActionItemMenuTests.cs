using Microsoft.Playwright;

namespace Huddle.Ui.Tests;

/// <summary>
/// An action item changed after it was added, from its menu on the board: its owner, its due date, and taken off
/// the board; the team-room screen follows each change live. A review found the board could add an owner and a
/// due date but never change them, nor remove an item.
/// </summary>
public sealed class ActionItemMenuTests(BrowserFixture browser)
{
    private const float Timeout = 10_000;

    [Theory]
    [InlineData(1400)]
    [InlineData(390)]
    public async Task An_action_items_owner_and_due_date_change_and_it_is_removed_and_the_wall_follows(int width)
    {
        var team = await browser.CreateTeamAsync();
        await browser.RunAsync(team, "addActionItem", new { title = "Call shelter about bed tonight" });
        var pcp = await browser.SignedInPageAsync(team.Pcp, BrowserFixture.Screen(width));
        var wall = await browser.SignedInPageAsync(team.Display, BrowserFixture.Tv, landing: true);
        await pcp.GotoAsync($"teams/{team.TeamId}/board");
        await BrowserFixture.BoardIsLiveAsync(pcp);
        await BrowserFixture.BoardIsLiveAsync(wall);
        var onWall = wall.Locator("[data-testid=action-item]").Filter(new() { HasText = "Call shelter about bed tonight" });
        await Assertions.Expect(onWall).ToBeVisibleAsync(new() { Timeout = Timeout });

        // Opens the item's menu and chooses one of its entries; returns the entry's words.
        async Task<string> ChooseAsync(string item)
        {
            await pcp.Locator("[data-testid=action-item] [data-testid=action-item-menu] button").ClickAsync();
            var words = await pcp.Locator(item).InnerTextAsync(new() { Timeout = Timeout });
            await pcp.Locator(item).ClickAsync();
            await Assertions.Expect(pcp.Locator(item)).ToHaveCountAsync(0, new() { Timeout = Timeout });
            return words;
        }

        // The owner: Bea Holt, then the menu marks her as the owner now.
        await ChooseAsync($"[data-testid=action-item-owner][data-user-id={team.Bhc}]");
        await Assertions.Expect(pcp.Locator("[data-testid=action-item-meta]")).ToContainTextAsync("Bea Holt", new() { Timeout = Timeout });
        await Assertions.Expect(onWall.Locator("[data-testid=action-item-meta]")).ToContainTextAsync("Bea Holt", new() { Timeout = Timeout });

        // Due tomorrow, on the team's calendar (the board's day plus one).
        var tomorrow = System.Text.RegularExpressions.Regex.Match(await ChooseAsync("[data-testid=action-item-due][data-days='1']"), @"\((\w+ \d+)\)").Groups[1].Value;
        Assert.False(string.IsNullOrEmpty(tomorrow), "'Due tomorrow' names no date.");
        await Assertions.Expect(pcp.Locator("[data-testid=action-item-meta]")).ToContainTextAsync($"Bea Holt · due {tomorrow}", new() { Timeout = Timeout });
        await Assertions.Expect(onWall.Locator("[data-testid=action-item-meta]")).ToContainTextAsync(tomorrow, new() { Timeout = Timeout });
        await pcp.ScreenshotAsync(new() { Path = BrowserFixture.ScreenshotPath($"action-item-changed-{width}.png"), Animations = ScreenshotAnimations.Disabled });

        // The menu now offers "No owner" and "No due date", and says who owns it.
        await pcp.Locator("[data-testid=action-item] [data-testid=action-item-menu] button").ClickAsync();
        await Assertions.Expect(pcp.Locator($"[data-testid=action-item-owner][data-user-id={team.Bhc}]")).ToHaveAttributeAsync("data-current", "true");
        await Assertions.Expect(pcp.Locator("[data-testid=action-item-no-owner]")).ToBeVisibleAsync();
        await Assertions.Expect(pcp.Locator("[data-testid=action-item-no-due]")).ToBeVisibleAsync();
        await Axe.AssertNoViolationsAsync(pcp, $"the board with an action item's menu open at {width} px");
        await pcp.Locator("[data-testid=action-item-remove]").ClickAsync();

        // Off the board, and off the wall.
        await Assertions.Expect(pcp.Locator("[data-testid=action-item]")).ToHaveCountAsync(0, new() { Timeout = Timeout });
        await Assertions.Expect(onWall).ToHaveCountAsync(0, new() { Timeout = Timeout });
        await pcp.Context.CloseAsync();
        await wall.Context.CloseAsync();
    }

    [Fact]
    public async Task A_cards_menu_marks_its_owner_now()
    {
        var team = await browser.CreateTeamAsync();
        await browser.AddCardAsync(team, team.Patients[0], "lane-1");
        using (var http = await browser.HttpAsAsync(team.Pcp))
        {
            var board = await System.Net.Http.Json.HttpClientJsonExtensions.GetFromJsonAsync<System.Text.Json.JsonElement>(http, $"api/teams/{team.TeamId}/board");
            var cardId = board.GetProperty("cards")[0].GetProperty("id").GetString();
            await browser.RunAsync(team, "assignCard", new { cardId, ownerId = team.Bhc });
        }

        var pcp = await browser.SignedInPageAsync(team.Pcp, BrowserFixture.Desktop);
        await pcp.GotoAsync($"teams/{team.TeamId}/board");
        await BrowserFixture.BoardIsLiveAsync(pcp);
        await BrowserFixture.CardIn(pcp, "lane-1", "Alma Reyes").Locator("[data-testid=card-menu] button").ClickAsync();
        await Assertions.Expect(pcp.Locator($"[data-testid=card-owner][data-user-id={team.Bhc}]")).ToHaveAttributeAsync("data-current", "true", new() { Timeout = Timeout });
        await Assertions.Expect(pcp.Locator($"[data-testid=card-owner][data-user-id={team.Bhc}]")).ToContainTextAsync("Owner: Bea Holt (now)");
        await Assertions.Expect(pcp.Locator($"[data-testid=card-owner][data-user-id={team.Pcp}]")).ToHaveAttributeAsync("data-current", "false");
        await pcp.Context.CloseAsync();
    }

    [Fact]
    public async Task The_new_action_items_date_picker_marks_the_teams_today_not_the_servers()
    {
        // A team whose day differs from the server's (UTC) now: Honolulu (UTC-10) before 10:00 UTC, else
        // Kiritimati (UTC+14). A review saw the picker mark tomorrow as today for a clinic in the evening.
        var utc = DateTimeOffset.UtcNow;
        var zone = utc.Hour < 10 ? "Pacific/Honolulu" : "Pacific/Kiritimati";
        var teamDay = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(utc, TimeZoneInfo.FindSystemTimeZoneById(zone)).DateTime);
        var serverDay = DateOnly.FromDateTime(DateTime.Today);
        Assert.NotEqual(serverDay, teamDay);
        // Made in its zone from the start (the board's day is the team's from its first day).
        var n = Guid.NewGuid().ToString("N")[..8];
        var (teamId, pcpId) = ($"team-far-{n}", $"u-far-{n}");
        await browser.PutTeamAsync(teamId, new Huddle.Web.Auth.DevTeamRequest("Far away",
            [new(pcpId, "Dr. Pat Carter", Huddle.Contracts.CareTeams.CareTeamRole.Pcp)], [], [new($"p-far-{n}", "Alma Reyes", "Exam 1")], zone));
        var pcp = await browser.SignedInPageAsync(pcpId, BrowserFixture.Desktop);
        await pcp.GotoAsync($"teams/{teamId}/board");
        await BrowserFixture.BoardIsLiveAsync(pcp);
        await pcp.Locator("[data-testid=show-add-action-item]").ClickAsync();
        await pcp.Locator("[data-testid=new-action-item-due] input, input[data-testid=new-action-item-due]").First.ClickAsync();
        var marked = pcp.Locator(".mud-picker-calendar .mud-day.huddle-team-today");
        await Assertions.Expect(marked).ToHaveCountAsync(1, new() { Timeout = Timeout });
        await Assertions.Expect(marked).ToHaveTextAsync(teamDay.Day.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("600", await marked.EvaluateAsync<string>("e => getComputedStyle(e).fontWeight"));
        // The server's today, when in the month shown, looks like any other day.
        var servers = pcp.Locator(".mud-picker-calendar .mud-day.mud-current");
        if (await servers.CountAsync() > 0 && serverDay.Month == teamDay.Month)
        {
            Assert.Equal("400", await servers.First.EvaluateAsync<string>("e => getComputedStyle(e).fontWeight"));
            var other = new[] { 15, 16, 17 }.First(d => d != teamDay.Day && d != serverDay.Day).ToString(System.Globalization.CultureInfo.InvariantCulture);
            var plain = pcp.Locator(".mud-picker-calendar .mud-day").Filter(new() { HasTextRegex = new System.Text.RegularExpressions.Regex($"^{other}$") }).First;
            Assert.Equal(await plain.EvaluateAsync<string>("e => getComputedStyle(e).color"),
                await servers.First.EvaluateAsync<string>("e => getComputedStyle(e).color"));
        }

        await pcp.ScreenshotAsync(new() { Path = BrowserFixture.ScreenshotPath("action-item-due-picker-1400.png"), Animations = ScreenshotAnimations.Disabled });
        await pcp.Context.CloseAsync();
    }
}
