using Microsoft.Playwright;

namespace Huddle.Ui.Tests;

/// <summary>The metrics page of the demo team on a fresh start (a month of demo history), on a phone and a desktop.</summary>
public sealed class MetricsPageTests(BrowserFixture browser)
{
    private const float Timeout = 10_000;

    [Theory]
    [MemberData(nameof(BrowserFixture.ScreenWidths), MemberType = typeof(BrowserFixture))]
    public async Task The_chosen_period_shows_pressed_and_the_days_table_is_never_cut(int width)
    {
        var viewport = BrowserFixture.Screen(width);
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
        await BrowserFixture.FullPageShotAsync(page, $"metrics-{width}.png");

        await AssertPressedAsync(page, "30", "7");

        // Every cell of the table is inside the screen: it reflows on a phone instead of being cut.
        var outside = await page.Locator("[data-testid=metrics-days]").EvaluateAsync<int>(
            "t => [...t.querySelectorAll('tbody th, tbody td')].filter(c => c.getBoundingClientRect().right > window.innerWidth + 0.5).length");
        Assert.Equal(0, outside);
        await page.Context.CloseAsync();
    }

    /// <summary>
    /// Every label of both 30-day charts' axes is wholly inside its chart: the slanted day names at the
    /// ends of the x axis are not cut by the chart's edge (the first one was, at every width).
    /// </summary>
    [Theory]
    [MemberData(nameof(BrowserFixture.ScreenWidths), MemberType = typeof(BrowserFixture))]
    public async Task Every_axis_label_of_the_30_day_charts_is_wholly_inside_its_chart(int width)
    {
        var viewport = BrowserFixture.Screen(width);
        var page = await browser.SignedInPageAsync("u-chen", viewport);
        await page.GotoAsync("teams/team-maple/metrics");
        await Assertions.Expect(page.Locator("[data-testid=demo-history]")).ToBeVisibleAsync(new() { Timeout = Timeout });
        await Assertions.Expect(page.Locator("[data-testid=pings][data-ready=true]")).ToHaveCountAsync(1, new() { Timeout = Timeout });
        await page.Locator("[data-testid=period][data-days='30']").ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=metrics-days] tbody tr")).ToHaveCountAsync(30, new() { Timeout = Timeout });

        // The days each chart plots, newest first as the table lists them: every day's counts; the median
        // minutes to accept only of days that have one (the table's "—" days were drawn as 0 minutes, an
        // instant answer, before).
        var rows = await page.Locator("[data-testid=metrics-days] tbody tr").EvaluateAllAsync<string[][]>(
            "rs => rs.map(r => [r.querySelector('th').textContent.trim(), r.querySelector('td:last-child').textContent.trim()])");
        var plotted = new Dictionary<string, string[]>
        {
            ["chart-days"] = [.. rows.Select(r => r[0])],
            ["chart-accept"] = [.. rows.Where(r => r[1] != "—").Select(r => r[0])],
        };
        Assert.NotEmpty(plotted["chart-accept"]);
        await Assertions.Expect(page.Locator("[data-testid=chart-accept-gaps]")).ToHaveCountAsync(plotted["chart-accept"].Length < 30 ? 1 : 0);
        foreach (var chart in new[] { "chart-days", "chart-accept" })
        {
            var figure = page.Locator($"[data-testid={chart}]");
            var svg = figure.Locator("svg").First;
            // A day name on the x axis for each day plotted (the first is the one that was cut), whatever the y axis shows.
            await Assertions.Expect(svg.Locator("text").Filter(new() { HasTextRegex = new System.Text.RegularExpressions.Regex(@"^[A-Z][a-z]{2} \d{1,2} [A-Z][a-z]{2}$") }))
                .ToHaveCountAsync(plotted[chart].Length, new() { Timeout = Timeout });
            await svg.ScrollIntoViewIfNeededAsync();
            // MudBlazor redraws a chart when its box changes size (a ResizeObserver calls back into the
            // circuit), which can come after the labels first showed: the checks below read a drawn axis,
            // so wait for one first.
            var shownDays = svg.Locator(".mud-charts-xaxis text").Filter(new() { Visible = true });
            await Assertions.Expect(shownDays.First).ToBeVisibleAsync(new() { Timeout = Timeout });
            await page.ScreenshotAsync(new() { Path = BrowserFixture.ScreenshotPath($"metrics-{chart}-{width}.png"), Animations = ScreenshotAnimations.Disabled });
            // Inside the chart's figure and the screen, and not clipped by the svg: inside its box, or the svg shows what overflows it.
            var cut = await figure.EvaluateAsync<string[]>("""
                figure => {
                    const svg = figure.querySelector('svg');
                    const box = figure.getBoundingClientRect();
                    const svgBox = svg.getBoundingClientRect();
                    const showsOverflow = getComputedStyle(svg).overflow === 'visible';
                    const outside = (r, b) => r.left < b.left - 0.5 || r.right > b.right + 0.5 || r.top < b.top - 0.5 || r.bottom > b.bottom + 0.5;
                    return [...svg.querySelectorAll('text')].filter(t => t.textContent.trim().length > 0 && t.getBoundingClientRect().width > 0).filter(t => {
                        const r = t.getBoundingClientRect();
                        return outside(r, box) || r.left < 0 || r.right > document.documentElement.clientWidth || (!showsOverflow && outside(r, svgBox));
                    }).map(t => { const r = t.getBoundingClientRect(); return `'${t.textContent.trim()}' at ${Math.round(r.left - box.left)}..${Math.round(r.right - box.left)} x ${Math.round(r.top - box.top)}..${Math.round(r.bottom - box.top)} of ${Math.round(box.width)} x ${Math.round(box.height)}`; });
                }
                """);
            Assert.True(cut.Length == 0, $"Labels cut by the edge of {chart} at {width} px: {string.Join("; ", cut)}");

            // The day names shown do not run into each other: slanted at 45°, neighbours' ends are at least 1.3 lines apart.
            var crowded = await svg.EvaluateAsync<string[]>("""
                svg => {
                    const shown = [...svg.querySelectorAll('.mud-charts-xaxis text')].filter(t => t.getBoundingClientRect().width > 0);
                    const line = shown.length ? parseFloat(getComputedStyle(shown[0]).fontSize) : 0;
                    return shown.slice(1).map((t, i) => [shown[i], t]).filter(([a, b]) => b.getBoundingClientRect().right - a.getBoundingClientRect().right < line * 1.3)
                        .map(([a, b]) => `'${a.textContent}' and '${b.textContent}'`);
                }
                """);
            Assert.True(crowded.Length == 0, $"Day names run into each other on {chart} at {width} px: {string.Join("; ", crowded.Take(5))}");
            // The newest day plotted (the days chart: today, the table's first row) is always named, and at
            // least one in seven plotted (a phone names every seventh, counted back from the newest). A redraw
            // between the wait above and this read can leave the axis undrawn for a moment: let the browser
            // wait (bounded) for them; a chart that never shows them fails the assertion.
            var least = (plotted[chart].Length + 6) / 7;
            try
            {
                await page.WaitForFunctionAsync(
                    "([chart, least]) => [...document.querySelectorAll(`[data-testid=${chart}] svg .mud-charts-xaxis text`)].filter(t => t.getBoundingClientRect().width > 0).length >= least",
                    new object[] { chart, least }, new() { Timeout = Timeout });
            }
            catch (TimeoutException)
            {
                // Read and assert below, with the count the chart shows.
            }

            var named = await svg.Locator(".mud-charts-xaxis text").EvaluateAllAsync<string[]>("ts => ts.filter(t => t.getBoundingClientRect().width > 0).map(t => t.textContent.trim())");
            Assert.True(named.Length >= least, $"Only {named.Length} days are named on {chart} at {width} px.");
            Assert.Equal(plotted[chart][0], named[^1]);
        }

        await Axe.AssertNoViolationsAsync(page, $"the metrics page over 30 days at {width} px");
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
