using Microsoft.Playwright;

namespace Huddle.Ui.Tests;

/// <summary>The accessibility check itself: it judges the page once it is still, and still finds what is wrong.</summary>
public sealed class AxeTests(BrowserFixture browser)
{
    /// <summary>
    /// A button that was just pressed fades its background from dark blue to white over 2 s while its text turns
    /// dark blue at once, so half-way its text stands on a mid blue (a contrast failure). axe must wait for the
    /// fade and pass the button; an endless spinner beside it must not hold the check up; and a label that is
    /// faint for good must still be reported.
    /// </summary>
    [Fact]
    public async Task Axe_judges_colours_after_transitions_end_and_still_reports_a_lasting_failure()
    {
        var page = await browser.AnonymousPageAsync();
        await page.SetContentAsync(
            """
            <!doctype html>
            <html lang="en"><head><title>Axe check</title>
            <style>
              button { font-size: 14px; color: #fff; background: #1f5f8b; border: 0; padding: 8px; transition: background-color 2s linear; }
              button.left { color: #1f5f8b; background: #fff; }
              .spinner { width: 10px; height: 10px; background: #000; animation: spin 1s linear infinite; }
              @keyframes spin { to { transform: rotate(360deg); } }
              .faint { color: #bbb; background: #fff; font-size: 14px; }
            </style></head>
            <body><main>
              <button id="period" type="button">12 months</button>
              <div class="spinner" role="presentation"></div>
              <p class="faint" id="faint">Always too faint</p>
            </main></body></html>
            """);

        await page.EvalOnSelectorAsync("#period", "b => b.classList.add('left')");
        Assert.True(await page.EvaluateAsync<bool>(
            "() => document.getAnimations().some(a => a.playState === 'running' && a.transitionProperty === 'background-color')"),
            "The button's fade should be running when the check starts.");

        var violations = await Axe.ViolationsAsync(page);

        var contrast = Assert.Single(violations, v => v.Id == "color-contrast");
        var node = Assert.Single(contrast.Nodes);
        Assert.Equal("#faint", node.Target);
        Assert.Equal("rgb(255, 255, 255)", await page.EvalOnSelectorAsync<string>("#period", "b => getComputedStyle(b).backgroundColor"));
    }
}
