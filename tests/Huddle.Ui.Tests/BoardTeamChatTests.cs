using System.Net.Http.Json;
using Huddle.Contracts.Chat;
using Huddle.Testing;
using Huddle.Web.Http;
using Microsoft.Playwright;

namespace Huddle.Ui.Tests;

/// <summary>
/// The team's chat on the clinician's board page, at 1920, 1400 and 390 px: written in with the keyboard
/// alone, an edited and a deleted message shown as such, axe-clean, and never on the room display's
/// screen. Screenshots at each width.
/// </summary>
public sealed class BoardTeamChatTests(BrowserFixture browser)
{
    private const float Timeout = 15_000;

    [Theory]
    [MemberData(nameof(BrowserFixture.ScreenWidths), MemberType = typeof(BrowserFixture))]
    public async Task The_team_chat_on_the_board_is_written_in_with_the_keyboard_shows_edits_and_deletes_and_is_axe_clean(int width)
    {
        var viewport = BrowserFixture.Screen(width);
        var team = await browser.CreateTeamAsync();
        await browser.FillBoardAsync(team);
        var threadId = ThreadIds.ForTeam(team.TeamId)!;
        using (var bhc = await browser.HttpAsAsync(team.Bhc))
        {
            foreach (var (path, body) in new (string, object)[]
            {
                ("messages", new SendMessage("b-1", "Ms. K. missed her follow-up; I'll call her today.")),
                ("messages", new SendMessage("b-2", "Wrong patient, ignore")),
                ("edits", new EditMessage("b-3", 1, "Ms. K. missed her follow-up; I called, she comes Thursday.")),
                ("deletes", new DeleteMessage("b-4", 2)),
            })
            {
                (await bhc.PostAsJsonAsync($"api/threads/{threadId}/{path}", body, HuddleJson.Options)).EnsureSuccessStatusCode();
            }
        }

        var page = await browser.SignedInPageAsync(team.Pcp, viewport);
        try
        {
            await page.GotoAsync($"teams/{team.TeamId}/board");
            await BrowserFixture.BoardIsLiveAsync(page);
            var chat = page.Locator("[data-testid=team-chat] [data-testid=chat-panel]");
            await Assertions.Expect(chat.Locator("[data-testid=chat-message]")).ToHaveCountAsync(2, new() { Timeout = Timeout });
            // The clinician's status is set on the board too (not only in the inbox): "Who's free" follows.
            await page.Locator("[data-testid=presence-choice][data-status=InSession]").ClickAsync();
            await Assertions.Expect(page.Locator($"[data-testid=team-presence] [data-user-id={team.Pcp}]")).ToHaveAttributeAsync("data-status", "InSession", new() { Timeout = Timeout });
            await page.Locator("[data-testid=presence-choice][data-status=Available]").ClickAsync();
            await Assertions.Expect(page.Locator($"[data-testid=team-presence] [data-user-id={team.Pcp}]")).ToHaveAttributeAsync("data-status", "Available", new() { Timeout = Timeout });
            await Assertions.Expect(chat.Locator("[data-seq='1'] [data-testid=chat-edited]")).ToBeVisibleAsync();
            await Assertions.Expect(chat.Locator("[data-seq='2'] [data-testid=chat-deleted]")).ToContainTextAsync("Message deleted by Bea Holt");
            if (width < 960)
            {
                // Below the lanes on a phone: the link at the top takes the reader there.
                var jump = page.Locator("[data-testid=team-chat-jump]");
                await Assertions.Expect(jump).ToBeVisibleAsync();
                await jump.FocusAsync();
                await page.Keyboard.PressAsync("Enter");
                await Assertions.Expect(chat.Locator("h2")).ToBeInViewportAsync(new() { Timeout = Timeout });
            }
            else
            {
                await Assertions.Expect(page.Locator("[data-testid=team-chat-jump]")).ToBeHiddenAsync();
                // On a laptop as on the TV-sized screen, the chat and its message box are on the first screen with
                // the board (three action items and two notes above it at 1400 px): nobody scrolls to find it.
                await Assertions.Expect(chat.Locator("h2")).ToBeInViewportAsync();
                await Assertions.Expect(chat.Locator("textarea")).ToBeInViewportAsync();
            }

            // The keyboard alone: type, Tab past "Urgent" and "Request acknowledgement", Enter on Send.
            await chat.Locator("textarea").FocusAsync();
            await page.Keyboard.TypeAsync("I'll add her to tomorrow's huddle.");
            // The counter follows the typing (the box is bound on change: it has not left the field yet).
            await Assertions.Expect(chat.Locator(".mud-input-control:has(textarea[data-testid=chat-input]) .mud-input-helper-text")).ToHaveTextAsync("34 / 4000");
            await page.Keyboard.PressAsync("Tab");
            await page.Keyboard.PressAsync("Tab");
            await page.Keyboard.PressAsync("Tab");
            await Assertions.Expect(chat.Locator("button[data-testid=chat-send]")).ToBeFocusedAsync();
            await page.Keyboard.PressAsync("Enter");
            await Assertions.Expect(chat.Locator("[data-testid=chat-message]")).ToHaveCountAsync(3, new() { Timeout = Timeout });
            await Assertions.Expect(chat.Locator("[data-seq='5'] [data-testid=chat-text]")).ToHaveTextAsync("I'll add her to tomorrow's huddle.");
            await Assertions.Expect(chat.Locator(".mud-input-control:has(textarea[data-testid=chat-input]) .mud-input-helper-text")).ToHaveTextAsync("0 / 4000");

            // "edited" opens the earlier versions from the keyboard.
            await chat.Locator("[data-seq='1'] [data-testid=chat-edited]").FocusAsync();
            await page.Keyboard.PressAsync("Enter");
            await Assertions.Expect(chat.Locator("[data-seq='1'] [data-testid=chat-version]")).ToHaveCountAsync(2, new() { Timeout = Timeout });

            var scrollWidth = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth");
            Assert.True(scrollWidth <= width, $"The board page is {scrollWidth} px wide at {width} px.");
            await chat.ScrollIntoViewIfNeededAsync();
            await page.ScreenshotAsync(new() { Path = BrowserFixture.ScreenshotPath($"board-chat-{width}.png"), Animations = ScreenshotAnimations.Disabled });
            await Axe.AssertNoViolationsAsync(page, $"the board with its team chat at {width} px");
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }

    [Fact]
    public async Task A_chat_notifications_Open_on_a_phone_lands_on_the_chat_not_the_top_of_the_page()
    {
        // The toast's Open goes to /chat/open/{thread}, which sends the clinician to the thread's page. On a phone
        // the board's chat is below the lanes and a patient's below the handoffs: before, the page opened at its top
        // and the unread message stayed out of sight (a review found it).
        var team = await browser.CreateTeamAsync();
        await browser.FillBoardAsync(team);
        var patientThread = ThreadIds.ForPatient(team.Patients[0])!;
        using (var pcp = await browser.HttpAsAsync(team.Pcp))
        {
            (await pcp.PostAsJsonAsync($"api/threads/{ThreadIds.ForTeam(team.TeamId)}/messages", new SendMessage("o-1", "Can someone see Ms. K. at 11?", MessagePriority.Urgent), HuddleJson.Options)).EnsureSuccessStatusCode();
            (await pcp.PostAsJsonAsync($"api/threads/{patientThread}/messages", new SendMessage("o-2", "Her PHQ-9 is due today."), HuddleJson.Options)).EnsureSuccessStatusCode();
        }

        var page = await browser.SignedInPageAsync(team.Bhc, BrowserFixture.Phone);
        try
        {
            foreach (var (thread, chat) in new[] { (ThreadIds.ForTeam(team.TeamId)!, "[data-testid=team-chat]"), (patientThread, "[data-testid=patient-chat]") })
            {
                await page.GotoAsync($"chat/open/{Uri.EscapeDataString(thread)}");
                var panel = page.Locator($"{chat} [data-testid=chat-panel]");
                await Assertions.Expect(panel.Locator("[data-testid=chat-message]")).ToHaveCountAsync(1, new() { Timeout = Timeout });
                await Assertions.Expect(panel.Locator("h2")).ToBeInViewportAsync(new() { Timeout = Timeout });
                await page.ScreenshotAsync(new() { Path = BrowserFixture.ScreenshotPath($"chat-open-{(chat.Contains("team", StringComparison.Ordinal) ? "team" : "patient")}-390.png"), Animations = ScreenshotAnimations.Disabled });
            }
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }

    [Fact]
    public async Task The_room_display_never_shows_chat_on_its_wall_or_on_the_board_page_while_a_clinician_sees_it_there()
    {
        var team = await browser.CreateTeamAsync();
        using (var pcp = await browser.HttpAsAsync(team.Pcp))
        {
            (await pcp.PostAsJsonAsync($"api/threads/{ThreadIds.ForTeam(team.TeamId)}/messages", new SendMessage("p-1", "Huddle at 8:15 tomorrow"), HuddleJson.Options)).EnsureSuccessStatusCode();
        }

        // An open handoff, so the board's strip shows one.
        await browser.RequestOneAsync(team);
        var clinician = await browser.SignedInPageAsync(team.Pcp, BrowserFixture.Tv);
        var display = await browser.SignedInPageAsync(team.Display, BrowserFixture.Tv);
        try
        {
            await clinician.GotoAsync($"teams/{team.TeamId}/board");
            await BrowserFixture.BoardIsLiveAsync(clinician);
            await Assertions.Expect(clinician.Locator("[data-testid=chat-message]")).ToHaveCountAsync(1, new() { Timeout = Timeout });
            foreach (var link in new[] { "[data-testid=metrics-link]", "[data-testid=registry-link]", "[data-testid=open-handoff] a:has-text('Details')" })
            {
                await Assertions.Expect(clinician.Locator(link)).ToHaveCountAsync(1, new() { Timeout = Timeout });
            }

            foreach (var path in new[] { $"teams/{team.TeamId}/screen", $"teams/{team.TeamId}/board" })
            {
                await display.GotoAsync(path);
                await BrowserFixture.BoardIsLiveAsync(display);
                // The board is there, live, and in the same state the clinician's shows: no chat at all on it.
                await Assertions.Expect(display.Locator("[data-testid=lane]").First).ToBeVisibleAsync();
                await Assertions.Expect(display.Locator("[data-testid=chat-panel]")).ToHaveCountAsync(0);
                await Assertions.Expect(display.Locator("[data-testid=team-chat-jump]")).ToHaveCountAsync(0);
                // A display has no status to set (it is pinged for nothing).
                await Assertions.Expect(display.Locator("[data-testid=presence]")).ToHaveCountAsync(0);
                Assert.DoesNotContain("Huddle at 8:15 tomorrow", await display.ContentAsync(), StringComparison.Ordinal);
                // Nor links to pages a display may not open (metrics, registry, a handoff's page): they led to refusals.
                await Assertions.Expect(display.Locator("[data-testid=open-handoff]")).ToHaveCountAsync(1, new() { Timeout = Timeout });
                await Assertions.Expect(display.Locator("[data-testid=metrics-link], [data-testid=registry-link], [data-testid=open-handoff] a")).ToHaveCountAsync(0);
            }
        }
        finally
        {
            await clinician.Context.CloseAsync();
            await display.Context.CloseAsync();
        }
    }
}
