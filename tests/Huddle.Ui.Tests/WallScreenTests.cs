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

        await OnTheWallAsync(page, "/teams/team-maple/screen");
        await BrowserFixture.BoardIsLiveAsync(page);
        await page.ScreenshotAsync(new() { Path = BrowserFixture.ScreenshotPath("wall-demo-1920.png"), Animations = ScreenshotAnimations.Disabled });
        // The demo's action items are read from across the room in three lines at most: the title across the
        // panel, its owner, due date and status under it (beside the status chip the title took three lines, the item five).
        // Lines of text: its words' middles more than 12 px apart (the chip's word shares the row beside it).
        var lines = await page.Locator("[data-testid=action-item]").EvaluateAllAsync<int[]>("""
            items => items.map(i => {
                const middles = [];
                const walker = document.createTreeWalker(i, NodeFilter.SHOW_TEXT);
                for (let node = walker.nextNode(); node; node = walker.nextNode()) {
                    const range = document.createRange(); range.selectNodeContents(node);
                    for (const r of range.getClientRects()) if (r.width > 0) middles.push((r.top + r.bottom) / 2);
                }
                middles.sort((a, b) => a - b);
                let rows = 0, last = -1e9;
                for (const m of middles) if (m - last > 12) { rows++; last = m; }
                return rows;
            })
            """);
        Assert.NotEmpty(lines);
        Assert.True(lines.All(l => l <= 3), $"Action items on the wall take {string.Join(", ", lines)} lines.");

        // Its browser's home page (the app's address) is the wall too, not a list of teams.
        await page.GotoAsync("");
        await OnTheWallAsync(page, "/teams/team-maple/screen");
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

        var page = await browser.SignedInPageAsync(team.Display, BrowserFixture.Tv, landing: true);
        await OnTheWallAsync(page, $"/teams/{team.TeamId}/screen");
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

    /// <summary>
    /// A busy morning on the wall: six open handoffs of every priority and a lane holding more cards
    /// than the screen fits. The handoffs take one line (counts by priority, the most urgent few, "+N
    /// more") and name no patient; every lane shows its header and first card; the full lane says how
    /// many cards are cut off; nothing scrolls.
    /// </summary>
    [Fact]
    public async Task At_1920_by_1080_six_open_handoffs_take_one_line_and_every_lane_keeps_its_header_and_first_card_on_screen()
    {
        var team = await browser.CreateTeamAsync();
        // Twelve more patients, all in the first lane: more cards than a lane of a 1080p screen holds.
        var extra = Enumerable.Range(1, 12).Select(i => new Huddle.Web.Auth.DevPatient($"{team.Patients[0]}-{i}", $"Extra Patient{i}", $"Bay {i}")).ToArray();
        using (var http = browser.Http())
        {
            var request = new Huddle.Web.Auth.DevTeamRequest("Busy team",
                [new(team.Pcp, "Dr. Pat Carter", Contracts.CareTeams.CareTeamRole.Pcp), new(team.Bhc, "Bea Holt", Contracts.CareTeams.CareTeamRole.Bhc)],
                [team.Display], [.. extra]);
            (await System.Net.Http.Json.HttpClientJsonExtensions.PutAsJsonAsync(http, $"api/dev/teams/{team.TeamId}", request, Huddle.Web.Http.HuddleJson.Options)).EnsureSuccessStatusCode();
        }

        await browser.AddCardAsync(team, team.Patients[0], "lane-1");
        foreach (var patient in extra)
        {
            await browser.AddCardAsync(team, patient.PatientId, "lane-1");
        }

        await browser.AddCardAsync(team, team.Patients[1], "lane-2");
        await browser.AddCardAsync(team, team.Patients[2], "lane-3");

        // Six open handoffs: 2 STAT, 1 ASAP, 2 urgent, 1 routine.
        await BusyMorning.RequestSixAsync(browser, team);

        var page = await browser.SignedInPageAsync(team.Display, BrowserFixture.Tv, landing: true);
        await OnTheWallAsync(page, $"/teams/{team.TeamId}/screen");
        await BrowserFixture.BoardIsLiveAsync(page);
        await Assertions.Expect(page.Locator("[data-testid=card]")).ToHaveCountAsync(15, new() { Timeout = Timeout });
        // All six handoffs are on the wall, named one by one or counted in "+N more".
        var strip = page.Locator("[data-testid=open-handoffs]");
        await page.WaitForFunctionAsync("""
            () => {
                const strip = document.querySelector('[data-testid=open-handoffs]');
                if (!strip) return false;
                const more = strip.querySelector('[data-testid=open-handoffs-more]');
                return strip.querySelectorAll('[data-testid=open-handoff]').length + (more ? Number(more.dataset.count) : 0) === 6;
            }
            """, null, new() { Timeout = Timeout });
        await page.ScreenshotAsync(new() { Path = BrowserFixture.ScreenshotPath("wall-busy-1920-handoffs.png"), Animations = ScreenshotAnimations.Disabled });

        // One line: every part of the strip sits on the same line, and the strip is no taller than its tallest part.
        var lines = await strip.EvaluateAsync<double[]>("""
            s => {
                const parts = [...s.children].map(c => c.getBoundingClientRect()).filter(r => r.height > 0);
                const tallest = Math.max(...parts.map(r => r.height));
                const tops = parts.map(r => r.top + r.height / 2);
                return [s.getBoundingClientRect().height, tallest, Math.max(...tops) - Math.min(...tops)];
            }
            """);
        Assert.True(lines[0] <= lines[1] * 1.5 && lines[2] < lines[1] / 2,
            $"The wall's strip of open handoffs is {lines[0]} px high for parts {lines[1]} px high (their middles {lines[2]} px apart): it wraps to more than one line.");

        // Every lane's header and its first card are wholly on the 1920 × 1080 screen, and nothing scrolls.
        var offScreen = await page.EvaluateAsync<string[]>("""
            () => [...document.querySelectorAll('[data-testid=lane]')].flatMap(lane => {
                const parts = [lane.querySelector('.lane__header'), lane.querySelector('[data-testid=card]')].filter(e => e);
                return parts.filter(e => { const r = e.getBoundingClientRect(); return r.top < 0 || r.left < 0 || r.bottom > innerHeight + 0.5 || r.right > innerWidth + 0.5; })
                    .map(e => `${lane.dataset.laneId} ${e.className} ends at ${Math.round(e.getBoundingClientRect().bottom)}`);
            })
            """);
        Assert.Empty(offScreen);
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollHeight <= window.innerHeight + 1 && document.documentElement.scrollWidth <= window.innerWidth"),
            "The wall scrolls at 1920 × 1080: a TV cannot scroll.");

        // "Needs BH today" takes two lines in its lane, and the first cards of the three lanes holding cards
        // still start at one height (the other headers as tall), so the room reads across the lanes.
        var titles = await page.Locator("[data-testid=lane] .lane__title").EvaluateAllAsync<double[]>("ts => ts.map(t => t.getBoundingClientRect().height)");
        Assert.True(titles.Max() > titles.Min() * 1.5, $"No lane title wraps at 1920 (heights {string.Join(", ", titles)}): the check below would show nothing.");
        var firstTops = await page.EvaluateAsync<double[]>("""
            () => [...document.querySelectorAll('[data-testid=lane]')].map(l => l.querySelector('[data-testid=card]')).filter(c => c).map(c => c.getBoundingClientRect().top)
            """);
        Assert.Equal(3, firstTops.Length);
        Assert.True(firstTops.Max() - firstTops.Min() < 1, $"The lanes' first cards start at {string.Join(", ", firstTops)} px: a wrapped title pushed its lane's cards down.");
        // And the titles start on one line: the others beside the wrapped one's first line, not its last.
        var titleTops = await page.Locator("[data-testid=lane] .lane__title").EvaluateAllAsync<double[]>("ts => ts.map(t => t.getBoundingClientRect().top)");
        Assert.True(titleTops.Max() - titleTops.Min() < 1, $"The lanes' titles start at {string.Join(", ", titleTops)} px.");

        // The full lane says how many of its cards the screen cuts off, and the cue itself is on screen.
        // (It is written once the wall's script has measured the lane.)
        var cue = page.Locator("[data-lane-id=lane-1] [data-testid=lane-more]");
        await Assertions.Expect(cue).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^\+\d+ more$"), new() { Timeout = Timeout });
        await page.ScreenshotAsync(new() { Path = BrowserFixture.ScreenshotPath("wall-busy-1920.png"), Animations = ScreenshotAnimations.Disabled });
        // The wall recounts a frame after any change (a late render or font makes cards taller): measured
        // once the cue agrees with what is cut off and no card is half shown, or the last state reported.
        var lane = await SettledAsync(page.Locator("[data-lane-id=lane-1]"), """
            lane => {
                const bottom = lane.querySelector('.lane__cards').getBoundingClientRect().bottom + 0.5;
                const cards = [...lane.querySelectorAll('[data-testid=card]')];
                return {
                    count: Number(lane.querySelector('[data-testid=lane-more]').dataset.count ?? -1),
                    cut: cards.filter(c => c.getBoundingClientRect().bottom > bottom).length,
                    halfShown: cards.filter(c => c.getBoundingClientRect().top < bottom && c.getBoundingClientRect().bottom > bottom && getComputedStyle(c).visibility !== 'hidden').length,
                };
            }
            """);
        var cut = lane.GetProperty("cut").GetInt32();
        Assert.InRange(cut, 1, 13);
        await Assertions.Expect(cue).ToHaveTextAsync($"+{cut} more");
        // What "+N more" counts is not shown at all: no card cut in half at the lane's foot.
        Assert.Equal(0, lane.GetProperty("halfShown").GetInt32());
        var cueBox = await cue.BoundingBoxAsync();
        Assert.NotNull(cueBox);
        Assert.True(cueBox.Y + cueBox.Height <= 1080, $"The lane's '+{cut} more' ends at {cueBox.Y + cueBox.Height} px of 1080.");
        await Assertions.Expect(page.Locator("[data-lane-id=lane-2] [data-testid=lane-more]")).ToBeEmptyAsync();

        // Counts by priority, most urgent first; the most urgent and oldest named; the rest counted.
        Assert.Equal(["2 STAT", "1 ASAP", "2 Urgent", "1 Routine"], (await strip.Locator("[data-testid=open-handoffs-count]").AllInnerTextsAsync()).Select(t => t.Trim()));
        var named = (await strip.Locator("[data-testid=open-handoff]").AllInnerTextsAsync()).Select(t => t.Trim()).ToList();
        Assert.Equal(2, named.Count);
        Assert.StartsWith("STAT", named[0], StringComparison.Ordinal);
        Assert.Contains("Exam 3", named[0], StringComparison.Ordinal);
        Assert.StartsWith("STAT", named[1], StringComparison.Ordinal);
        Assert.Contains("Exam 6", named[1], StringComparison.Ordinal);
        Assert.Matches(@"waiting (<1|\d+) min$", named[0]);
        await Assertions.Expect(strip.Locator("[data-testid=open-handoffs-more]")).ToHaveTextAsync("+4 more");
        // The words of each named handoff are shown whole, not cut off with an ellipsis.
        Assert.Equal(0, await strip.Locator(".open-handoffs__text").EvaluateAllAsync<int>("es => es.filter(e => e.scrollWidth > e.clientWidth + 1).length"));

        // No patient and no reason on the room's screen.
        var words = await strip.InnerTextAsync();
        foreach (var phi in new[] { "Alma", "Reyes", "Boris", "Chloe", "Extra", "Tearful", "PHQ" })
        {
            Assert.DoesNotContain(phi, words, StringComparison.OrdinalIgnoreCase);
        }

        await Axe.AssertNoViolationsAsync(page, "the wall with six open handoffs and a full lane");
        await page.Context.CloseAsync();
    }

    /// <summary>
    /// The wall opened on a smaller screen: on a 1400 px monitor it still fits the screen with its
    /// handoffs on one line; on a phone it scrolls like a page and its handoffs wrap, never cut at the edge.
    /// </summary>
    [Theory]
    [InlineData(1400)]
    [InlineData(390)]
    public async Task On_a_smaller_screen_the_walls_open_handoffs_stay_inside_its_width(int width)
    {
        var viewport = new[] { BrowserFixture.Desktop, BrowserFixture.Phone }.Single(v => v.Width == width);
        var team = await browser.CreateTeamAsync();
        await browser.AddCardAsync(team, team.Patients[0], "lane-1");
        await browser.AddCardAsync(team, team.Patients[1], "lane-2");
        await BusyMorning.RequestSixAsync(browser, team);

        var page = await browser.SignedInPageAsync(team.Display, viewport, landing: true);
        await OnTheWallAsync(page, $"/teams/{team.TeamId}/screen");
        await BrowserFixture.BoardIsLiveAsync(page);
        var strip = page.Locator("[data-testid=open-handoffs]");
        await Assertions.Expect(strip.Locator("[data-testid=open-handoffs-more]")).ToHaveTextAsync("+4 more", new() { Timeout = Timeout });
        await BrowserFixture.FullPageShotAsync(page, $"wall-busy-{width}.png");

        // Nothing reaches past the screen's edge or is cut by the strip's own.
        var outside = await strip.EvaluateAsync<string[]>("""
            s => {
                const edge = Math.min(document.documentElement.clientWidth, s.getBoundingClientRect().right);
                return [...s.querySelectorAll('*')].filter(e => e.getBoundingClientRect().right > edge + 0.5).map(e => e.textContent.trim());
            }
            """);
        Assert.Empty(outside);
        Assert.Equal(0, await strip.Locator(".open-handoffs__text").EvaluateAllAsync<int>("es => es.filter(e => e.scrollWidth > e.clientWidth + 1).length"));
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"), $"The wall scrolls sideways at {width} px.");
        if (width >= 960)
        {
            Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollHeight <= window.innerHeight + 1"), $"The wall scrolls at {width} px.");
        }

        await Axe.AssertNoViolationsAsync(page, $"the wall with six open handoffs at {width} px");
        await page.Context.CloseAsync();
    }

    /// <summary>
    /// The notes panel filled a look-back note at a time above three look-ahead notes, so the panel's edge
    /// falls at every place in the look-ahead section: its heading never shows over nothing when all its notes
    /// are cut off (a review saw "Look ahead" with no text under it and "+1 more").
    /// </summary>
    [Fact]
    public async Task A_notes_heading_is_hidden_with_its_notes_wherever_the_wall_cuts_them()
    {
        var team = await browser.CreateTeamAsync();
        for (var i = 1; i <= 8; i++)
        {
            await browser.RunAsync(team, "addActionItem", new { title = $"Follow-up call list {i}" });
        }

        for (var i = 1; i <= 3; i++)
        {
            await browser.RunAsync(team, "addNote", new { kind = "lookAhead", text = $"Ahead {i}" });
        }

        var page = await browser.SignedInPageAsync(team.Display, BrowserFixture.Tv, landing: true);
        await OnTheWallAsync(page, $"/teams/{team.TeamId}/screen");
        await BrowserFixture.BoardIsLiveAsync(page);
        var notes = page.Locator("[data-testid=notes]");
        var orphans = new List<string>();
        var states = new List<string>();
        for (var back = 0; back <= 8; back++)
        {
            if (back > 0)
            {
                await browser.RunAsync(team, "addNote", new { kind = "lookBack", text = back % 2 == 0 ? $"Back {back}" : $"Back {back}: the lift by exam 4 was out of order all morning" });
            }

            await Assertions.Expect(page.Locator("[data-testid=note]")).ToHaveCountAsync(3 + back, new() { Timeout = Timeout });
            var measured = await SettledAsync(notes, """
                p => {
                    const zone = p.querySelector('.panel__items').getBoundingClientRect();
                    const children = [...p.querySelector('.panel__items').children];
                    const shown = c => getComputedStyle(c).visibility !== 'hidden';
                    const notes = children.filter(c => c.matches('[data-testid=note]'));
                    // A shown heading with notes after it (before the next heading), none of them shown.
                    const orphan = children.filter(c => !c.matches('[data-testid=note]') && shown(c)).filter(h => {
                        const after = [];
                        for (let n = h.nextElementSibling; n && n.matches('[data-testid=note]'); n = n.nextElementSibling) after.push(n);
                        return after.length > 0 && !after.some(shown);
                    }).map(h => h.textContent.trim());
                    return {
                        count: Number(p.querySelector('[data-testid=panel-more]').dataset.count ?? 0),
                        cut: notes.filter(n => n.getBoundingClientRect().bottom > zone.bottom + 0.5).length,
                        halfShown: children.filter(c => shown(c) && c.getBoundingClientRect().bottom > zone.bottom + 0.5).length,
                        orphans: orphan.join('|'),
                    };
                }
                """);
            states.Add($"{back}:{measured.GetProperty("cut").GetInt32()}");
            if (measured.GetProperty("orphans").GetString() is { Length: > 0 } orphan)
            {
                orphans.Add($"{back} look-back notes: {orphan}");
            }
        }

        Assert.True(states.Any(s => !s.EndsWith(":0", StringComparison.Ordinal)), $"No note was ever cut off ({string.Join(", ", states)}): the check saw nothing.");
        Assert.True(orphans.Count == 0, $"A heading shown over notes all cut off with {string.Join("; ", orphans)} (cut by look-back notes: {string.Join(", ", states)})");
        await page.Context.CloseAsync();
    }

    /// <summary>
    /// A team that writes a lot down: more action items and notes than the wall's side column holds at
    /// 1920 × 1080. Each panel shows what fits and ends in "+N more" (N the items it cuts off), on
    /// screen, hiding what it counts (no line cut in half); nothing scrolls, and the first item of each
    /// panel stays visible.
    /// </summary>
    [Fact]
    public async Task At_1920_by_1080_side_panels_holding_more_than_fits_end_in_how_many_more()
    {
        var team = await browser.CreateTeamAsync();
        for (var i = 1; i <= 14; i++)
        {
            await browser.RunAsync(team, "addActionItem", new { title = $"Follow-up call list {i}" });
        }

        for (var i = 1; i <= 8; i++)
        {
            await browser.RunAsync(team, "addNote", new { kind = i % 2 == 0 ? "lookAhead" : "lookBack", text = $"Huddle note {i}" });
        }

        var page = await browser.SignedInPageAsync(team.Display, BrowserFixture.Tv, landing: true);
        await OnTheWallAsync(page, $"/teams/{team.TeamId}/screen");
        await BrowserFixture.BoardIsLiveAsync(page);
        await Assertions.Expect(page.Locator("[data-testid=action-item]")).ToHaveCountAsync(14, new() { Timeout = Timeout });
        await Assertions.Expect(page.Locator("[data-testid=note]")).ToHaveCountAsync(8, new() { Timeout = Timeout });

        foreach (var (panel, items) in new[] { ("action-items", "[data-testid=action-item]"), ("notes", "[data-testid=note]") })
        {
            var cue = page.Locator($"[data-testid={panel}] [data-testid=panel-more]");
            await Assertions.Expect(cue).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^\+\d+ more$"), new() { Timeout = Timeout });
            // The wall recounts a frame after any change (a late render or font makes lines taller): measured
            // once the cue agrees with what is cut off and nothing is half shown, or the last state reported.
            var measured = await SettledAsync(page.Locator($"[data-testid={panel}]"), $$"""
                p => {
                    const zone = p.querySelector('.panel__items').getBoundingClientRect();
                    const items = [...p.querySelectorAll('{{items}}')];
                    const r = items[0].getBoundingClientRect();
                    const halfShown = [...p.querySelector('.panel__items').children].filter(c => getComputedStyle(c).visibility !== 'hidden' && c.getBoundingClientRect().bottom > zone.bottom + 0.5).length;
                    return { count: Number(p.querySelector('[data-testid=panel-more]').dataset.count ?? -1), cut: items.filter(i => i.getBoundingClientRect().bottom > zone.bottom + 0.5).length, first: r.bottom <= zone.bottom + 0.5 && r.bottom <= innerHeight, halfShown };
                }
                """);
            var (cut, first) = (measured.GetProperty("cut").GetInt32(), measured.GetProperty("first").GetBoolean());
            Assert.True(first, $"The first of the {panel} is cut off on the wall.");
            // What the cue counts is not shown at all: no line or heading cut in half at the panel's edge.
            Assert.Equal(0, measured.GetProperty("halfShown").GetInt32());
            Assert.InRange(cut, 1, 14);
            await Assertions.Expect(cue).ToHaveTextAsync($"+{cut} more");
            var box = await cue.BoundingBoxAsync();
            Assert.NotNull(box);
            Assert.True(box.Y + box.Height <= 1080, $"The {panel}' '+{cut} more' ends at {box.Y + box.Height} px of 1080.");
        }

        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollHeight <= window.innerHeight + 1"), "The wall scrolls at 1920 × 1080: a TV cannot scroll.");
        await page.ScreenshotAsync(new() { Path = BrowserFixture.ScreenshotPath("wall-side-full-1920.png"), Animations = ScreenshotAnimations.Disabled });
        await Axe.AssertNoViolationsAsync(page, "the wall with full side panels");
        await page.Context.CloseAsync();
    }

    /// <summary>
    /// Waits for the display to land on <paramref name="path"/>, polling the address as
    /// <see cref="BrowserFixture.SignedInPageAsync"/> does: waiting for that page's load event was seen to
    /// miss it on a busy machine (a .ci/run timed out with the page already there).
    /// </summary>
    private static Task OnTheWallAsync(IPage page, string path) =>
        Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex(System.Text.RegularExpressions.Regex.Escape(path) + "$"), new() { Timeout = Timeout });

    /// <summary>
    /// Evaluates <paramref name="measure"/> (it returns <c>{count, cut, halfShown, …}</c>) on <paramref name="zone"/>
    /// until the wall's cue counts what is cut off and nothing is half shown, or the time is up: the last measure.
    /// </summary>
    private static async Task<System.Text.Json.JsonElement> SettledAsync(ILocator zone, string measure)
    {
        var settle = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var measured = await zone.EvaluateAsync<System.Text.Json.JsonElement>(measure);
            if ((measured.GetProperty("halfShown").GetInt32() == 0 && measured.GetProperty("count").GetInt32() == measured.GetProperty("cut").GetInt32())
                || settle.Elapsed >= TimeSpan.FromMilliseconds(Timeout))
            {
                return measured;
            }

            // The wall recounts on the next frame after a change: wait for two frames, not a fixed time.
            await zone.EvaluateAsync("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))");
        }
    }
}
