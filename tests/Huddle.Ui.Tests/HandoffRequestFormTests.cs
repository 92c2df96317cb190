using Microsoft.Playwright;

namespace Huddle.Ui.Tests;

/// <summary>
/// The request form for a patient with no room on file, as a clinician sees and hears it: each required
/// field shows one marker ("Room*", not "Room (required)*") and is required to assistive technology, the
/// request stays disabled with its reason shown until the room and the situation are filled in.
/// </summary>
public sealed class HandoffRequestFormTests(BrowserFixture browser)
{
    private const float Timeout = 10_000;

    [Theory]
    [MemberData(nameof(BrowserFixture.ScreenWidths), MemberType = typeof(BrowserFixture))]
    public async Task Each_required_field_shows_one_marker_and_the_request_waits_for_them(int width)
    {
        var viewport = BrowserFixture.Screen(width);
        var team = await browser.CreateTeamAsync();
        // Chloe Park has no room on file.
        var page = await browser.SignedInPageAsync(team.Pcp, viewport);
        await page.GotoAsync($"teams/{team.TeamId}/patients/{team.Patients[2]}");
        await Assertions.Expect(page.Locator("[data-testid=patient-name]")).ToHaveTextAsync("Chloe Park", new() { Timeout = Timeout });
        await Assertions.Expect(page.Locator("[data-testid=pings][data-ready=true]")).ToHaveCountAsync(1, new() { Timeout = Timeout });

        // What the eye reads on each required field's label: its text and what the style adds after it.
        foreach (var (field, label) in new[] { ("room", "Room"), ("sbar-situation", "Situation") })
        {
            var input = page.Locator($"[data-testid={field}]");
            var shown = await input.EvaluateAsync<string>("""
                e => {
                    const l = document.querySelector(`label[for="${e.id}"]`);
                    const after = getComputedStyle(l, '::after').content;
                    return l.innerText.trim() + (after && after !== 'none' && after !== 'normal' ? after.replace(/^"|"$/g, '') : '');
                }
                """);
            Assert.Equal($"{label}*", shown);
            await Assertions.Expect(page.GetByRole(AriaRole.Textbox, new() { Name = label })).ToHaveCountAsync(1);
            Assert.True(await input.EvaluateAsync<bool>("e => e.required || e.getAttribute('aria-required') === 'true'"), $"{label} is not required to assistive technology.");
        }

        // The heading takes focus on navigation (for screen readers) and shows no focus ring: it is no control.
        // (Focused here as navigation focuses it, after a key press: the browser then shows focus rings,
        // whatever the sign-in's click and the timing of the navigation's own focus on a busy machine.)
        var heading = page.Locator("[data-testid=patient-name]");
        await page.Keyboard.PressAsync("Shift");
        // Blazor gives the heading tabindex=-1 when it focuses it: do the same if that has not happened yet.
        await heading.EvaluateAsync("e => { if (!e.hasAttribute('tabindex')) e.tabIndex = -1; e.blur(); e.focus(); }");
        Assert.Equal("true none", await heading.EvaluateAsync<string>("e => `${e.matches(':focus-visible')} ${getComputedStyle(e).outlineStyle}`"));
        await Assertions.Expect(page.Locator("[data-testid=required-legend]")).ToHaveTextAsync("Fields marked * are required.");
        var request = page.Locator("[data-testid=request-handoff]");
        await Assertions.Expect(request).ToBeDisabledAsync();
        await Assertions.Expect(page.Locator("[data-testid=request-missing]")).ToHaveTextAsync("Choose a priority and fill in the room and the situation to send the request.");
        await BrowserFixture.FullPageShotAsync(page, $"handoff-request-form-{width}.png");
        await Axe.AssertNoViolationsAsync(page, $"the request form, nothing filled in, at {width} px");

        // No priority is preselected (a preselected "Urgent" made every request urgent): chosen, it is one of four.
        var priorities = page.GetByRole(AriaRole.Radio);
        await Assertions.Expect(priorities).ToHaveCountAsync(4);
        foreach (var radio in await priorities.AllAsync())
        {
            await Assertions.Expect(radio).Not.ToBeCheckedAsync();
        }

        Assert.Equal("true", await page.Locator("[data-testid=priority]").GetAttributeAsync("aria-required"));
        Assert.Equal("Priority*", await page.Locator("#priority-label").EvaluateAsync<string>("l => l.innerText.trim() + getComputedStyle(l, '::after').content.replace(/^\"|\"$/g, '')"));
        await page.GetByRole(AriaRole.Radio, new() { Name = "Routine" }).CheckAsync();
        await Assertions.Expect(page.Locator("[data-testid=request-missing]")).ToHaveTextAsync("Fill in the room and the situation to send the request.", new() { Timeout = Timeout });
        await page.Locator("[data-testid=sbar-situation]").FillAsync("Tearful, asks for help");
        await Assertions.Expect(page.Locator("[data-testid=request-missing]")).ToHaveTextAsync("Fill in the room to send the request: where should the consultant come?", new() { Timeout = Timeout });
        await Assertions.Expect(request).ToBeDisabledAsync();
        await page.Locator("[data-testid=room]").FillAsync("Exam 4");
        await Assertions.Expect(request).ToBeEnabledAsync(new() { Timeout = Timeout });
        await Assertions.Expect(page.Locator("[data-testid=request-missing]")).ToHaveCountAsync(0);
        await BrowserFixture.FullPageShotAsync(page, $"handoff-request-form-filled-{width}.png");
        await Axe.AssertNoViolationsAsync(page, $"the request form, filled in, at {width} px");
        await page.Context.CloseAsync();
    }
}
