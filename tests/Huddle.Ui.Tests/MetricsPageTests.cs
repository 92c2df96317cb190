using Microsoft.Playwright;

namespace Huddle.Ui.Tests;

/// <summary>The metrics page of the demo team on a fresh start (a month of demo history), on a phone and a desktop.</summary>
public sealed class MetricsPageTests(BrowserFixture browser)
{
    private const float Timeout = 10_000;

    [Theory]
    [InlineData(390)]
    [InlineData(1400)]
    [InlineData(1920)]
    public async Task The_chosen_period_shows_pressed_and_the_days_table_is_never_cut(int width)
    {
        var viewport = new[] { BrowserFixture.Tv, BrowserFixture.Desktop, BrowserFixture.Phone }.Single(v => v.Width == width);
        var page = await browser.SignedInPageAsync("u-chen", viewport);
        await page.GotoAsync("teams/team-maple/metrics");
        await Assertions.Expect(page.Locator("[data-testid=demo-history]")).ToBeVisibleAsync(new() { Timeout = Timeout });
        // Interactive (the layout's ping listener is up), so the period buttons answer.
        await Assertions.Expect(page.Locator("[data-testid=pings][data-ready=true]")).ToHaveCountAsync(1, new() { Timeout = Timeout });
        // Pressed: filled with the primary colour, never the transparent background of the others (a
        // button group paints its own style over its buttons' unless told not to).
        await AssertPressedAsync(page, "7", "30");
        await page.Locator("[data-testid=period][data-days='30']").ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=metrics-days] tbody tr")).ToHaveCountAsync(30, new() { Timeout = Timeout });
        await Assertions.Expect(page).ToHaveTitleAsync("Handoff metrics · Maple Street Primary Care · Huddle");
        await page.ScreenshotAsync(new() { Path = BrowserFixture.ScreenshotPath($"metrics-{width}.png"), FullPage = true, Animations = ScreenshotAnimations.Disabled });

        await AssertPressedAsync(page, "30", "7");

        // Every cell of the table is inside the screen: it reflows on a phone instead of being cut.
        var outside = await page.Locator("[data-testid=metrics-days]").EvaluateAsync<int>(
            "t => [...t.querySelectorAll('tbody th, tbody td')].filter(c => c.getBoundingClientRect().right > window.innerWidth + 0.5).length");
        Assert.Equal(0, outside);
        await page.Context.CloseAsync();
    }

    private static async Task AssertPressedAsync(IPage page, string pressedDays, string otherDays)
    {
        // Neither hovered nor focused: the colour is the pressed state's own.
        await page.Mouse.MoveAsync(0, 0);
        await page.EvaluateAsync("() => document.activeElement?.blur()");
        await Assertions.Expect(page.Locator($"[data-testid=period][data-days='{pressedDays}']")).ToHaveAttributeAsync("aria-pressed", "true");
        var pressed = await page.Locator($"[data-testid=period][data-days='{pressedDays}']").EvaluateAsync<string>("e => getComputedStyle(e).backgroundColor");
        var other = await page.Locator($"[data-testid=period][data-days='{otherDays}']").EvaluateAsync<string>("e => getComputedStyle(e).backgroundColor");
        Assert.NotEqual("rgba(0, 0, 0, 0)", pressed);
        Assert.NotEqual(pressed, other);
    }
}
