using Huddle.Testing;
using Microsoft.Playwright;

namespace Huddle.Ui.Tests;

/// <summary>
/// Organisation sign-in in a real browser (Chromium), through a real OpenID Connect provider: a
/// clinician opening a board is sent to sign in, signs in at the provider with their password, lands
/// on that board, and signing out ends the provider's session too.
/// </summary>
public sealed class OidcSignInTests(BrowserFixture browser, HuddleOidcAppFixture app) : IClassFixture<HuddleOidcAppFixture>
{
    private const float Timeout = 60_000;

    [Fact]
    public async Task A_sign_out_at_the_provider_takes_the_board_off_an_open_screen_within_seconds()
    {
        var team = await app.CreateTeamAsync();
        var password = app.Provider.AddAccount(team.Pcp, "Pat Carter at Test Health");
        var context = await browser.Browser.NewContextAsync(new() { BaseURL = app.BaseAddress.ToString(), ViewportSize = BrowserFixture.Desktop });
        FinishedTestContexts.Track(context);
        context.SetDefaultNavigationTimeout(Timeout);
        var page = await context.NewPageAsync();
        await page.GotoAsync($"{OidcStart}?returnUrl={Uri.EscapeDataString($"/teams/{team.TeamId}/board")}");
        await page.FillAsync("#username", team.Pcp);
        await page.FillAsync("#password", password);
        await page.ClickAsync("#submit");
        await Assertions.Expect(page.Locator("h1")).ToContainTextAsync("Test team", new() { Timeout = Timeout });
        // The board is live (its circuit connected), not just the page's first, prerendered HTML.
        await Assertions.Expect(page.Locator("[data-testid=board][data-interactive=true]")).ToBeVisibleAsync(new() { Timeout = Timeout });

        // The provider ends the PCP's sessions (signed out elsewhere, or an administrator's action).
        using (var answer = await app.Provider.BackChannelLogoutAsync(app.BaseAddress, team.Pcp))
        {
            Assert.True(answer.IsSuccessStatusCode);
        }

        // The open board (a live circuit) goes to the sign-in page, the team's board gone; coming back needs a new sign-in.
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/signin"), new() { Timeout = 15_000 });
        await Assertions.Expect(page.GetByText("Test team")).ToHaveCountAsync(0);
        await page.GotoAsync($"teams/{team.TeamId}/board");
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/signin"), new() { Timeout = Timeout });
        await context.CloseAsync();
    }

    private const string OidcStart = "signin/oidc";

    [Theory]
    [InlineData(1400)]
    [InlineData(390)]
    public async Task A_clinician_signs_in_at_the_organisations_provider_lands_on_the_board_and_signs_out_of_both(int width)
    {
        var team = await app.CreateTeamAsync();
        var password = app.Provider.AddAccount(team.Pcp, "Pat Carter at Test Health");
        var context = await browser.Browser.NewContextAsync(new() { BaseURL = app.BaseAddress.ToString(), ViewportSize = BrowserFixture.Screen(width) });
        FinishedTestContexts.Track(context);
        context.SetDefaultNavigationTimeout(Timeout);
        var page = await context.NewPageAsync();

        // A bookmarked board, not signed in: the sign-in page, offering the organisation's account.
        await page.GotoAsync($"teams/{team.TeamId}/board");
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/signin"), new() { Timeout = Timeout });
        var oidc = page.Locator("[data-testid=oidc-signin]");
        await Assertions.Expect(oidc).ToHaveTextAsync("Sign in with Test Health account");
        await page.ScreenshotAsync(new() { Path = BrowserFixture.ScreenshotPath($"signin-oidc-{width}.png"), Animations = ScreenshotAnimations.Disabled });
        await Axe.AssertNoViolationsAsync(page, $"the sign-in page with organisation sign-in at {width} px");

        // At the provider: its own page and password.
        await oidc.ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("^" + System.Text.RegularExpressions.Regex.Escape(app.Provider.Issuer.ToString()) + "login"), new() { Timeout = Timeout });
        await page.FillAsync("#username", team.Pcp);
        await page.FillAsync("#password", password);
        await page.ClickAsync("#submit");

        // Back at Huddle, on the board asked for, as the PCP (Huddle's own name for them).
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex($"/teams/{team.TeamId}/board$"), new() { Timeout = Timeout });
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Sign out" })).ToBeVisibleAsync(new() { Timeout = Timeout });
        await Assertions.Expect(page.Locator("h1")).ToContainTextAsync("Test team", new() { Timeout = Timeout });

        // Sign out: Huddle's session and the provider's end; the next sign-in asks for the password again.
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=signed-out]")).ToHaveTextAsync("You are signed out.", new() { Timeout = Timeout });
        await page.GotoAsync($"teams/{team.TeamId}/board");
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/signin"), new() { Timeout = Timeout });
        await page.Locator("[data-testid=oidc-signin]").ClickAsync();
        await Assertions.Expect(page.Locator("#password")).ToBeVisibleAsync(new() { Timeout = Timeout });
        await context.CloseAsync();
    }
}
