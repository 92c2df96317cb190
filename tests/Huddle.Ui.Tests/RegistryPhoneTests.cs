using System.Net.Http.Json;
using Microsoft.Playwright;

namespace Huddle.Ui.Tests;

/// <summary>
/// Measurement-based care as a clinic uses it: a PHQ-9 entered on a 390 px phone turns the patient's card
/// on the board open on a laptop, live ("PHQ-9 16 ↓", "Psych review"), and puts them on the
/// psychiatrist's case-review list. Screenshots of the form at 390 px and the registry at 1400 px; axe on both.
/// </summary>
public sealed class RegistryPhoneTests(BrowserFixture browser)
{
    private const float Timeout = 15_000;

    [Fact]
    public async Task A_phq9_entered_on_a_phone_turns_the_card_on_the_board_live_and_lists_the_patient_for_review()
    {
        var team = await browser.CreateTeamAsync();
        var patient = team.Patients[0];
        await browser.AddFlaggedCardAsync(team, patient, "lane-1", ("recentEdVisit", "chest pain"));
        // Baseline PHQ-9 of 18 eight weeks ago, enrolled then (the BHC as care manager), a contact since.
        var weeksAgo = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(-56).ToString("yyyy-MM-dd");
        using (var http = await browser.HttpAsAsync(team.Pcp))
        {
            (await http.PostAsJsonAsync($"api/patients/{patient}/measurements", new { instrument = "phq9", items = new[] { 3, 3, 3, 3, 3, 3, 0, 0, 0 }, on = weeksAgo })).EnsureSuccessStatusCode();
            (await http.PutAsJsonAsync($"api/patients/{patient}/enrolment", new { teamId = team.TeamId, careManagerId = team.Bhc, psychiatristId = team.Pcp, on = weeksAgo })).EnsureSuccessStatusCode();
        }

        var laptop = await browser.SignedInPageAsync(team.Bhc, BrowserFixture.Desktop);
        await laptop.GotoAsync($"teams/{team.TeamId}/board");
        await BrowserFixture.BoardIsLiveAsync(laptop);
        var card = laptop.Locator("[data-testid=card]");
        await Assertions.Expect(card).ToContainTextAsync("PHQ-9 18", new() { Timeout = Timeout });

        // The registry open on another screen: its row follows live too (the registry's own feed).
        var registry = await browser.SignedInPageAsync(team.Bhc, BrowserFixture.Desktop);
        await registry.GotoAsync($"teams/{team.TeamId}/registry");
        var liveRow = registry.Locator($"[data-testid=registry-row][data-patient-id='{patient}']");
        await Assertions.Expect(liveRow.Locator("[data-testid=scores]")).ToContainTextAsync("18 → 18", new() { Timeout = Timeout });
        await Assertions.Expect(registry.Locator("[data-testid=idle-logoff][data-ready=true]")).ToHaveCountAsync(1, new() { Timeout = Timeout });

        var phone = await browser.SignedInPageAsync(team.Pcp, BrowserFixture.Phone);
        await phone.GotoAsync($"teams/{team.TeamId}/patients/{patient}/measure");
        await Assertions.Expect(phone.Locator("[data-testid=measure-form]")).ToBeVisibleAsync(new() { Timeout = Timeout });
        // The date the browser shows as numbers (month or day first, by its language) is said in words too
        // (changed once the page is interactive).
        await Assertions.Expect(phone.Locator("[data-testid=idle-logoff][data-ready=true]")).ToHaveCountAsync(1, new() { Timeout = Timeout });
        var today = DateOnly.ParseExact((await phone.Locator("[data-testid=measure-date]").GetAttributeAsync("max"))!, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        await Assertions.Expect(phone.Locator("[data-testid=measure-date-words]")).ToHaveTextAsync($"Today, {today.ToString("dddd, MMMM d, yyyy", System.Globalization.CultureInfo.InvariantCulture)}");
        await phone.Locator("[data-testid=measure-date]").FillAsync("2026-11-03");
        await Assertions.Expect(phone.Locator("[data-testid=measure-date-words]")).ToHaveTextAsync("Tuesday, November 3, 2026", new() { Timeout = Timeout });
        await phone.Locator("[data-testid=measure-date]").FillAsync(today.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
        await Assertions.Expect(phone.Locator("[data-testid=measure-date-words]")).ToContainTextAsync("Today, ", new() { Timeout = Timeout });
        await Assertions.Expect(phone.Locator("[data-testid=idle-logoff][data-ready=true]")).ToHaveCountAsync(1, new() { Timeout = Timeout });
        int[] answers = [3, 3, 2, 2, 2, 2, 1, 1, 0];
        for (var i = 0; i < answers.Length; i++)
        {
            await phone.Locator($"[data-testid=measure-item][data-item='{i + 1}'] label").Nth(answers[i]).ClickAsync();
        }

        await Assertions.Expect(phone.Locator("[data-testid=measure-total]")).ToHaveAttributeAsync("data-total", "16");
        await Assertions.Expect(phone.Locator("[data-testid=measure-safety]")).ToHaveCountAsync(0);
        var width = await phone.EvaluateAsync<int>("() => document.documentElement.scrollWidth");
        Assert.True(width <= 390, $"The form is {width} px wide on a 390 px phone.");
        // Every question sits inside its box, under the border (a question of two or three lines was drawn across it).
        var across = await phone.Locator("[data-testid=measure-item]").EvaluateAllAsync<string[]>(
            "fs => fs.filter(f => f.querySelector('legend').getBoundingClientRect().top < f.getBoundingClientRect().top + 1).map(f => f.dataset.item)");
        Assert.Empty(across);
        // Every answer's circle is the same size, whether its words take one line or two.
        var circles = await phone.Locator("[data-testid=measure-item] input[type=radio]").EvaluateAllAsync<double[]>("es => es.map(e => e.getBoundingClientRect().width)");
        Assert.Equal(36, circles.Length);
        Assert.True(circles.Max() - circles.Min() < 0.5, $"The answers' circles are {circles.Min()} to {circles.Max()} px wide on a phone.");
        await phone.ScreenshotAsync(new() { Path = BrowserFixture.ScreenshotPath("registry-measure-390.png"), FullPage = true, Animations = ScreenshotAnimations.Disabled });
        await Axe.AssertNoViolationsAsync(phone, "the PHQ-9 form on a phone");
        // A cleared date (one Backspace clears the browser's whole date) is said, and Save stores nothing: it
        // was saved as 0001-01-01, refused with a puzzling "more than ten years ago", or would have been dated today.
        await phone.Locator("[data-testid=measure-date]").FillAsync("");
        await Assertions.Expect(phone.Locator("[data-testid=measure-date-words]")).ToHaveTextAsync("Enter the day it was taken: the whole date, month, day and year.", new() { Timeout = Timeout });
        await phone.Locator("[data-testid=measure-save]").ClickAsync();
        await Assertions.Expect(phone.Locator("[data-testid=measure-error]")).ToHaveTextAsync("Enter the day it was taken: the whole date, month, day and year.", new() { Timeout = Timeout });
        await Assertions.Expect(phone.Locator("[data-testid=measure-saved]")).ToHaveCountAsync(0);
        await phone.Locator("[data-testid=measure-date]").FillAsync(today.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
        await phone.Locator("[data-testid=measure-save]").ClickAsync();
        await Assertions.Expect(phone.Locator("[data-testid=measure-saved]")).ToHaveAttributeAsync("data-total", "16", new() { Timeout = Timeout });
        // Saved from the bar at the foot of the long form: the outcome is brought on screen and focused (read out),
        // not left above the screen while the form clears.
        await Assertions.Expect(phone.Locator("[data-testid=measure-outcome]")).ToBeFocusedAsync(new() { Timeout = Timeout });
        await Assertions.Expect(phone.Locator("[data-testid=measure-saved]")).ToBeInViewportAsync();

        // The registry on the phone: the three views on one line, each button's words unbroken, and in each row
        // every value beside its column's name (text, chips and sparkline), none dropped under the name.
        await phone.GotoAsync($"teams/{team.TeamId}/registry");
        var phoneRow = phone.Locator($"[data-testid=registry-row][data-patient-id='{patient}']");
        await Assertions.Expect(phoneRow.Locator("[data-testid=scores]")).ToContainTextAsync("18 → 16", new() { Timeout = Timeout });
        // Measured once the page is interactive and its views laid out: CI once measured all three at 0 × 0, the
        // prerendered links as the interactive render replaced them.
        await Assertions.Expect(phone.Locator("[data-testid=idle-logoff][data-ready=true]")).ToHaveCountAsync(1, new() { Timeout = Timeout });
        await Assertions.Expect(phone.Locator("[data-testid=registry-views] a")).ToHaveCountAsync(3, new() { Timeout = Timeout });
        foreach (var view in await phone.Locator("[data-testid=registry-views] a").AllAsync())
        {
            await Assertions.Expect(view).ToBeVisibleAsync(new() { Timeout = Timeout });
        }

        var views = await phone.Locator("[data-testid=registry-views] a").EvaluateAllAsync<double[][]>("""
            bs => bs.map(b => {
                const walk = document.createTreeWalker(b, NodeFilter.SHOW_TEXT), tops = new Set();
                for (let t = walk.nextNode(); t; t = walk.nextNode()) { const r = document.createRange(); r.selectNodeContents(t); for (const x of r.getClientRects()) if (x.width > 0) tops.add(Math.round(x.top)); }
                const box = b.getBoundingClientRect();
                return [box.top, box.right, tops.size];
            })
            """);
        Assert.Equal(3, views.Length);
        Assert.True(views.All(v => v[2] == 1 && Math.Abs(v[0] - views[0][0]) < 1 && v[1] <= 390), $"The registry's views on a phone: {string.Join("; ", views.Select(v => string.Join(", ", v)))} (top, right, lines).");
        var misplaced = await phoneRow.Locator("td:not(.registry__review)").EvaluateAllAsync<string[]>("""
            tds => tds.flatMap(td => {
                const r = document.createRange(); r.selectNodeContents(td);
                const left = Math.min(...[...r.getClientRects()].filter(x => x.width > 0).map(x => x.left));
                return left < td.getBoundingClientRect().left + 120 ? [`${td.dataset.label} at ${left}`] : [];
            })
            """);
        Assert.Empty(misplaced);
        await phone.ScreenshotAsync(new() { Path = BrowserFixture.ScreenshotPath("registry-390.png"), FullPage = true, Animations = ScreenshotAnimations.Disabled });

        // On the laptop, without a reload: the real score with its direction, and the rule's review.
        await Assertions.Expect(card).ToContainTextAsync("PHQ-9 16 ↓", new() { Timeout = Timeout });
        await Assertions.Expect(card).ToContainTextAsync("Psych review");
        await Assertions.Expect(card).ToContainTextAsync("Recent ED visit chest pain");

        await Assertions.Expect(liveRow.Locator("[data-testid=scores]")).ToContainTextAsync("18 → 16", new() { Timeout = Timeout });
        await Assertions.Expect(liveRow.Locator("[data-prompt=PsychiatricReview]")).ToBeVisibleAsync();

        // The psychiatrist's list.
        await laptop.GotoAsync($"teams/{team.TeamId}/registry?view=review");
        var row = laptop.Locator($"[data-testid=registry-row][data-patient-id='{patient}']");
        await Assertions.Expect(row).ToBeVisibleAsync(new() { Timeout = Timeout });
        await Assertions.Expect(row.Locator("[data-testid=scores]")).ToContainTextAsync("18 → 16");
        await Assertions.Expect(row.Locator("[data-testid=sparkline]")).ToHaveAttributeAsync("aria-label", "PHQ-9 trend: 18, 16");
        await laptop.ScreenshotAsync(new() { Path = BrowserFixture.ScreenshotPath("registry-review-1400.png"), FullPage = true, Animations = ScreenshotAnimations.Disabled });
        await Axe.AssertNoViolationsAsync(laptop, "the case-review list");

        // The metrics view: the three families, the CSV links.
        await laptop.GotoAsync($"teams/{team.TeamId}/registry?view=metrics");
        await Assertions.Expect(laptop.Locator("[data-testid=figure][data-figure=enrolled] [data-testid=figure-value]")).ToHaveTextAsync("1", new() { Timeout = Timeout });
        await Assertions.Expect(laptop.Locator("[data-testid=figure][data-figure=review-due] [data-testid=figure-value]")).ToHaveTextAsync("1");
        await Assertions.Expect(laptop.Locator("[data-testid=registry-csv]")).ToHaveAttributeAsync("href", $"/teams/{team.TeamId}/registry.csv");
        await Assertions.Expect(laptop.Locator("[data-testid=idle-logoff][data-ready=true]")).ToHaveCountAsync(1, new() { Timeout = Timeout });
        await laptop.Locator("[data-testid=period][data-months='3']").ClickAsync();
        await Assertions.Expect(laptop.Locator("[data-testid=period][data-months='3']")).ToHaveAttributeAsync("aria-pressed", "true", new() { Timeout = Timeout });
        await Assertions.Expect(laptop.Locator("[data-testid=metrics-csv]")).ToHaveAttributeAsync("href", $"/teams/{team.TeamId}/registry-metrics.csv?months=3");
        // The pressed period's colours, checked after the press.
        await Axe.AssertNoViolationsAsync(laptop, "the registry's metrics with a period pressed");
        await laptop.ScreenshotAsync(new() { Path = BrowserFixture.ScreenshotPath("registry-metrics-1400.png"), FullPage = true, Animations = ScreenshotAnimations.Disabled });
        await Axe.AssertNoViolationsAsync(laptop, "the registry's metrics");
    }
}
