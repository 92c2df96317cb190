using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace Huddle.Ui.Tests;

/// <summary>
/// Automatic logoff (docs/security.md, "Automatic logoff"), with the idle time at 10 seconds: a board
/// left alone goes to the sign-in page saying why and its cookie has lapsed; a person who keeps typing
/// stays; a team-room display with no input at all stays and can reload.
/// </summary>
public sealed class IdleLogoffTests(IdleLogoffTests.IdleBrowser browser) : IClassFixture<IdleLogoffTests.IdleBrowser>
{
    /// <summary>The app and Chromium, with <c>Huddle:Security:IdleTimeout</c> at 10 s.</summary>
    public sealed class IdleBrowser : BrowserFixture
    {
        protected override Dictionary<string, string?> OrleansSettings()
        {
            var settings = base.OrleansSettings();
            settings["Huddle:Security:IdleTimeout"] = "00:00:10";
            return settings;
        }
    }

    private static readonly Regex SignIn = new("/signin");

    private static async Task IdleWatchAsync(IPage page) =>
        await Assertions.Expect(page.Locator("[data-testid=idle-logoff][data-ready=true]")).ToHaveCountAsync(1, new() { Timeout = 30_000 });

    [Fact]
    public async Task A_board_left_alone_is_signed_out_and_its_cookie_has_lapsed()
    {
        var team = await browser.CreateTeamAsync();
        var page = await browser.SignedInPageAsync(team.Pcp);
        await page.GotoAsync($"teams/{team.TeamId}/board");
        await IdleWatchAsync(page);

        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/signin\\?idle=1"), new() { Timeout = 25_000 });
        await Assertions.Expect(page.Locator("[data-testid=signed-out-idle]")).ToContainTextAsync("10 seconds without activity");
        await Axe.AssertNoViolationsAsync(page, "the sign-in page after an idle logoff");

        // The cookie lapsed with the idleness: the board asks for a sign-in again.
        await page.GotoAsync($"teams/{team.TeamId}/board");
        await Assertions.Expect(page).ToHaveURLAsync(SignIn, new() { Timeout = 10_000 });
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Someone_who_keeps_typing_stays_signed_in()
    {
        var team = await browser.CreateTeamAsync();
        var page = await browser.SignedInPageAsync(team.Pcp);
        await page.GotoAsync($"teams/{team.TeamId}/board");
        await IdleWatchAsync(page);
        for (var i = 0; i < 12; i++)
        {
            await page.Keyboard.PressAsync("Shift");
            await page.WaitForTimeoutAsync(2_000);
        }

        Assert.DoesNotMatch(SignIn, page.Url);
        // Twice the idle time later the cookie is still good: a fresh load of the board needs no sign-in.
        await page.GotoAsync($"teams/{team.TeamId}/board");
        await BrowserFixture.BoardIsLiveAsync(page);
        Assert.DoesNotMatch(SignIn, page.Url);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_room_display_with_no_input_stays_on_its_wall_and_can_reload()
    {
        var team = await browser.CreateTeamAsync();
        var page = await browser.SignedInPageAsync(team.Display, BrowserFixture.Tv);
        await page.GotoAsync($"teams/{team.TeamId}/screen");
        await IdleWatchAsync(page);
        await page.WaitForTimeoutAsync(22_000);
        Assert.DoesNotMatch(SignIn, page.Url);
        await page.ReloadAsync();
        await Assertions.Expect(page.Locator("[data-testid=idle-logoff][data-ready=true]")).ToHaveCountAsync(1, new() { Timeout = 30_000 });
        Assert.DoesNotMatch(SignIn, page.Url);
        await page.Context.CloseAsync();
    }
}
