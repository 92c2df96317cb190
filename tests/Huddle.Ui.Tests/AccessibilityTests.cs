using Huddle.Testing;
using Microsoft.Playwright;

namespace Huddle.Ui.Tests;

/// <summary>
/// axe-core on every page, on the team room's TV, a desktop and a phone: any WCAG 2.1 A/AA violation fails with the
/// rule, the element and how to fix it. The board is checked with a huddle running, action items and
/// notes on it, so every control it can show is there.
/// </summary>
public sealed class AccessibilityTests(BrowserFixture browser)
{
    private const float Timeout = 10_000;

    public static TheoryData<string> Pages() =>
        ["sign-in", "home", "board", "shared screen", "inbox", "patient", "handoff", "metrics", "registry", "registry metrics", "questionnaire"];

    /// <summary>
    /// Each page at the three widths, in one signed-in browser context: the page's data and the sign-in are
    /// set up once, and the page is opened in a new tab at each width (a new circuit laid out for that
    /// screen from its first render, as a person opening it there gets it), then shot and checked.
    /// </summary>
    [Theory]
    [MemberData(nameof(Pages))]
    public async Task Every_page_meets_WCAG_2_1_AA_on_a_tv_a_desktop_and_a_phone(string name)
    {
        var (first, path) = await SetUpAsync(name, BrowserFixture.Tv);
        try
        {
            foreach (var viewport in new[] { BrowserFixture.Tv, BrowserFixture.Desktop, BrowserFixture.Phone })
            {
                var page = viewport == BrowserFixture.Tv ? first : await first.Context.NewPageAsync();
                await page.SetViewportSizeAsync(viewport.Width, viewport.Height);
                await page.GotoAsync(path);
                await ReadyAsync(page, name);
                // Transitions (MudBlazor fades content in) are run to their end, so the shot shows what axe reads.
                await BrowserFixture.FullPageShotAsync(page, $"axe-{name.Replace(' ', '-')}-{viewport.Width}.png");
                await Axe.AssertNoViolationsAsync(page, $"the {name} page at {viewport.Width} px");
                await page.CloseAsync();
            }
        }
        finally
        {
            await first.Context.CloseAsync();
        }
    }

    /// <summary>
    /// The colours the seeded pages never show: a done action item, a moved card, an open card menu and
    /// an accepted handoff (on the board, the wall and the inbox), each checked after the interaction.
    /// </summary>
    [Fact]
    public async Task After_the_interactions_that_change_colours_every_page_still_meets_WCAG_2_1_AA()
    {
        var team = await browser.CreateTeamAsync();
        await browser.FillBoardAsync(team);
        var handoffId = await browser.RequestOneAsync(team);
        using (var bhcApi = await browser.HttpAsAsync(team.Bhc))
        {
            using var accepted = await System.Net.Http.Json.HttpClientJsonExtensions.PostAsJsonAsync(bhcApi, $"api/handoffs/{handoffId}/accept", new { etaMinutes = 5 });
            accepted.EnsureSuccessStatusCode();
        }

        var page = await browser.SignedInPageAsync(team.Pcp, BrowserFixture.Desktop);
        await page.GotoAsync($"teams/{team.TeamId}/board");
        await BrowserFixture.BoardIsLiveAsync(page);
        await Assertions.Expect(page.Locator("[data-testid=open-handoff][data-status=accepted]")).ToBeVisibleAsync(new() { Timeout = Timeout });

        // A done action item (struck through).
        var item = page.Locator("[data-testid=action-item]").Filter(new() { HasText = "Call shelter" });
        await item.Locator("input[type=checkbox]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=action-item][data-status=Done]")).ToHaveCountAsync(1, new() { Timeout = Timeout });
        await Axe.AssertNoViolationsAsync(page, "the board with a done action item and an accepted handoff");

        // A moved card.
        await BrowserFixture.CardIn(page, "lane-1", "Alma Reyes").Locator("[data-testid=card-menu] button").ClickAsync();
        await page.Locator("[data-testid=move-to][data-lane-id=lane-2]").ClickAsync();
        await Assertions.Expect(BrowserFixture.CardIn(page, "lane-2", "Alma Reyes")).ToBeVisibleAsync(new() { Timeout = Timeout });
        await Axe.AssertNoViolationsAsync(page, "the board after a card moved");

        // An open card menu.
        await BrowserFixture.CardIn(page, "lane-2", "Boris Ng").Locator("[data-testid=card-menu] button").ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=move-to][data-lane-id=lane-3]")).ToBeVisibleAsync(new() { Timeout = Timeout });
        await BrowserFixture.FullPageShotAsync(page, "axe-board-after-interactions-1400.png");
        await Axe.AssertNoViolationsAsync(page, "the board with a card menu open");
        await page.Context.CloseAsync();

        // The accepted handoff in the BHC's inbox, and on the wall (dark theme).
        var inbox = await browser.SignedInPageAsync(team.Bhc, BrowserFixture.Phone);
        await inbox.GotoAsync("inbox");
        await Assertions.Expect(inbox.Locator("[data-testid=handoff][data-status=accepted]")).ToBeVisibleAsync(new() { Timeout = Timeout });
        await Axe.AssertNoViolationsAsync(inbox, "the inbox with an accepted handoff");
        await inbox.Context.CloseAsync();

        var wall = await browser.SignedInPageAsync(team.Display, BrowserFixture.Tv, landing: true);
        await BrowserFixture.BoardIsLiveAsync(wall);
        await Assertions.Expect(wall.Locator("[data-testid=open-handoff][data-status=accepted]")).ToBeVisibleAsync(new() { Timeout = Timeout });
        await Assertions.Expect(wall.Locator("[data-testid=action-item][data-status=Done]")).ToHaveCountAsync(1, new() { Timeout = Timeout });
        await Axe.AssertNoViolationsAsync(wall, "the wall with a done item, a moved card and an accepted handoff");
        await wall.Context.CloseAsync();
    }

    /// <summary>The data <paramref name="name"/> shows, a context signed in as the person who sees it, and the page's address.</summary>
    private async Task<(IPage Page, string Path)> SetUpAsync(string name, ViewportSize viewport)
    {
        if (name == "sign-in")
        {
            return (await browser.AnonymousPageAsync(viewport), "signin");
        }

        var team = await browser.CreateTeamAsync();
        if (name == "home")
        {
            return (await browser.SignedInPageAsync(team.Pcp, viewport), "");
        }

        if (name is "inbox" or "patient" or "handoff" or "metrics")
        {
            // A warm handoff waiting for the BHC, and a finished one for the metrics.
            var waiting = await browser.RequestOneAsync(team);
            await browser.CompleteOneAsync(team);
            var (user, path) = name switch
            {
                "inbox" => (team.Bhc, "inbox"),
                "patient" => (team.Pcp, $"teams/{team.TeamId}/patients/{team.Patients[0]}"),
                "handoff" => (team.Bhc, $"handoffs/{waiting}"),
                _ => (team.Pcp, $"teams/{team.TeamId}/metrics"),
            };
            return (await browser.SignedInPageAsync(user, viewport), path);
        }

        if (name is "registry" or "registry metrics" or "questionnaire")
        {
            // An enrolled patient eight weeks in, not improving: every prompt colour and the trend show.
            var patient = team.Patients[0];
            var enrolled = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(-56).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
            using (var api = await browser.HttpAsAsync(team.Pcp))
            {
                foreach (var (path, body) in new (string, object)[]
                {
                    ($"api/patients/{patient}/measurements", new { instrument = "phq9", items = new[] { 3, 3, 3, 3, 3, 3, 0, 0, 0 }, on = enrolled }),
                    ($"api/patients/{patient}/enrolment", new { teamId = team.TeamId, careManagerId = team.Bhc, psychiatristId = team.Pcp, on = enrolled }),
                    ($"api/patients/{patient}/measurements", new { instrument = "phq9", items = new[] { 3, 3, 2, 2, 2, 2, 1, 1, 0 } }),
                    ($"api/patients/{patient}/measurements", new { instrument = "gad7", items = new[] { 2, 2, 2, 1, 1, 1, 0 } }),
                })
                {
                    using var response = path.EndsWith("enrolment", StringComparison.Ordinal)
                        ? await System.Net.Http.Json.HttpClientJsonExtensions.PutAsJsonAsync(api, path, body)
                        : await System.Net.Http.Json.HttpClientJsonExtensions.PostAsJsonAsync(api, path, body);
                    response.EnsureSuccessStatusCode();
                }
            }

            var where = name switch
            {
                "registry" => $"teams/{team.TeamId}/registry",
                "registry metrics" => $"teams/{team.TeamId}/registry?view=metrics",
                _ => $"teams/{team.TeamId}/patients/{patient}/measure",
            };
            return (await browser.SignedInPageAsync(team.Pcp, viewport), where);
        }

        await browser.FillBoardAsync(team);
        var screen = name == "shared screen";
        return (await browser.SignedInPageAsync(screen ? team.Display : team.Pcp, viewport), $"teams/{team.TeamId}/{(screen ? "screen" : "board")}");
    }

    /// <summary>Waits until the loaded page <paramref name="name"/> shows everything axe is to read.</summary>
    private static async Task ReadyAsync(IPage page, string name)
    {
        if (name != "sign-in")
        {
            // The interactive page, not the prerendered one it replaces: a prerender can already show the
            // data, and the interactive page's first render shows its loading state again until it has read it.
            await Assertions.Expect(page.Locator("[data-testid=idle-logoff][data-ready=true]")).ToHaveCountAsync(1, new() { Timeout = Timeout });
        }

        switch (name)
        {
            case "sign-in":
                await Assertions.Expect(page.Locator("[data-testid=identity]").First).ToBeVisibleAsync(new() { Timeout = Timeout });
                break;
            case "home":
                await Assertions.Expect(page.Locator("[data-testid=team]")).ToBeVisibleAsync(new() { Timeout = Timeout });
                break;
            case "inbox" or "patient" or "handoff" or "metrics":
                var ready = name switch
                {
                    "inbox" => "[data-testid=accept]",
                    "patient" => "[data-testid=patient-handoff]",
                    "handoff" => "[data-testid=history]",
                    _ => "[data-testid=metrics-days]",
                };
                await Assertions.Expect(page.Locator(ready).First).ToBeVisibleAsync(new() { Timeout = Timeout });
                if (name == "patient")
                {
                    // The patient's chat panel is checked too, once it has opened its thread.
                    await Assertions.Expect(page.Locator("[data-testid=chat-send]")).ToBeVisibleAsync(new() { Timeout = Timeout });
                }

                break;
            case "registry" or "registry metrics" or "questionnaire":
                var shown = name switch
                {
                    "registry" => "[data-testid=registry-row]",
                    "registry metrics" => "[data-testid=figure]",
                    _ => "[data-testid=measure-form]",
                };
                await Assertions.Expect(page.Locator(shown).First).ToBeVisibleAsync(new() { Timeout = Timeout });
                break;
            default:
                await BrowserFixture.BoardIsLiveAsync(page);
                await Assertions.Expect(page.Locator("[data-testid=card]")).ToHaveCountAsync(3, new() { Timeout = Timeout });
                await Assertions.Expect(page.Locator("[data-testid=action-item]")).ToHaveCountAsync(3, new() { Timeout = Timeout });
                break;
        }
    }
}
