using System.Net.Http.Json;
using Huddle.Contracts.Chat;
using Huddle.Testing;
using Huddle.Web.Chat;
using Huddle.Web.Http;
using Microsoft.Playwright;

namespace Huddle.Ui.Tests;

/// <summary>
/// The chat screens as a clinician sees them in a working day, at 1920, 1400 and 390 px: a patient's thread
/// with a few messages, an urgent one asking the viewer for an acknowledgement, an edited and a deleted one,
/// the viewer's own messages with their receipts and an unread message in the app bar's badge. The chat list,
/// the thread page and the patient page are each shot whole and checked by axe; then again with what opens
/// over them or recolours them: the mention picker, the receipts' "who and when", edit mode, the delete
/// confirmation, the earlier versions and a chat notification's toast.
/// </summary>
public sealed class ChatScreensTests(BrowserFixture browser)
{
    private const float Timeout = 20_000;

    [Theory]
    [MemberData(nameof(BrowserFixture.ScreenWidths), MemberType = typeof(BrowserFixture))]
    public async Task The_chat_list_a_thread_and_the_patients_chat_with_a_days_messages_fit_the_screen_and_meet_WCAG_2_1_AA(int width)
    {
        var viewport = BrowserFixture.Screen(width);
        var (team, threadId) = await SeedAsync();
        var page = await browser.SignedInPageAsync(team.Pcp, viewport);
        try
        {
            // The chat list: the patient's thread with one unread message, and the app bar's badge.
            await page.GotoAsync("threads");
            await Assertions.Expect(page.Locator("[data-testid=nav-chats][data-ready=true]")).ToHaveCountAsync(1, new() { Timeout = Timeout });
            await Assertions.Expect(page.Locator($"[data-testid=thread][data-thread-id='{threadId}']")).ToHaveAttributeAsync("data-unread", "1", new() { Timeout = Timeout });
            await Assertions.Expect(page.Locator("[data-testid=nav-unread]")).ToHaveTextAsync("1", new() { Timeout = Timeout });
            await AssertFitsAsync(page, width, "the chat list");
            await BrowserFixture.FullPageShotAsync(page, $"chat-screens-threads-{width}.png");
            await Axe.AssertNoViolationsAsync(page, $"the chat list with an unread chat at {width} px");

            // The thread on its own page.
            await page.GotoAsync($"threads/{threadId}");
            await ThreadIsShownAsync(page);
            // Named (the patient by initials, as the list names it) and able to mention the patient's team
            // (before: "Patient chat", and no mention field on this page).
            await Assertions.Expect(page.Locator("[data-testid=chat-panel] h2")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^Chat about patient \S+$"));
            await Assertions.Expect(page).ToHaveTitleAsync(new System.Text.RegularExpressions.Regex(@"^Chat about patient \S+ · Huddle$"));
            await Assertions.Expect(page.Locator("[data-testid=chat-mention]")).ToHaveCountAsync(1);
            // A column of reading width on a wide screen: the message box, its options and Send stay together.
            var column = await page.Locator("[data-testid=thread-page]").BoundingBoxAsync();
            Assert.True(column!.Width <= 820.5, $"The thread's column is {column.Width} px wide at {width} px.");
            await AssertFitsAsync(page, width, "a chat thread");
            await BrowserFixture.FullPageShotAsync(page, $"chat-screens-thread-{width}.png");
            await Axe.AssertNoViolationsAsync(page, $"a chat thread with a day's messages at {width} px");

            // The same thread on the patient's page.
            await page.GotoAsync($"teams/{team.TeamId}/patients/{team.Patients[0]}");
            await Assertions.Expect(page.Locator("[data-testid=pings][data-ready=true]")).ToHaveCountAsync(1, new() { Timeout = Timeout });
            await ThreadIsShownAsync(page);
            await AssertFitsAsync(page, width, "the patient page with its chat");
            await BrowserFixture.FullPageShotAsync(page, $"chat-screens-patient-{width}.png");
            await Axe.AssertNoViolationsAsync(page, $"the patient page with a day's chat at {width} px");
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }

    [Theory]
    [MemberData(nameof(BrowserFixture.ScreenWidths), MemberType = typeof(BrowserFixture))]
    public async Task What_opens_over_the_chat_or_recolours_it_meets_WCAG_2_1_AA(int width)
    {
        var viewport = BrowserFixture.Screen(width);
        var (team, threadId) = await SeedAsync();
        var page = await browser.SignedInPageAsync(team.Pcp, viewport);
        try
        {
            await page.GotoAsync($"teams/{team.TeamId}/patients/{team.Patients[0]}");
            await Assertions.Expect(page.Locator("[data-testid=pings][data-ready=true]")).ToHaveCountAsync(1, new() { Timeout = Timeout });
            await ThreadIsShownAsync(page);
            var chat = page.Locator("[data-testid=chat-panel]");
            var own = chat.Locator("[data-seq='2']");

            // The mention picker, open on its list.
            await chat.Locator("input[data-testid=chat-mention], [data-testid=chat-mention] input").FocusAsync();
            await page.Keyboard.TypeAsync("B");
            await Assertions.Expect(page.GetByRole(AriaRole.Option, new() { Name = "Bea Holt" })).ToBeVisibleAsync(new() { Timeout = Timeout });
            await Shot(page, width, "mention-picker");
            await Axe.AssertNoViolationsAsync(page, $"the chat with the mention picker open at {width} px");
            await page.Keyboard.PressAsync("Escape");

            // Who read the viewer's message, and when.
            var receipt = own.Locator("[data-testid=chat-receipt-toggle]");
            await Assertions.Expect(receipt).ToContainTextAsync("Read by 1 of", new() { Timeout = Timeout });
            await receipt.FocusAsync();
            await page.Keyboard.PressAsync("Enter");
            await Assertions.Expect(own.Locator("[data-testid=chat-receipt-details]")).ToBeVisibleAsync(new() { Timeout = Timeout });
            await Shot(page, width, "receipts");
            await Axe.AssertNoViolationsAsync(page, $"the chat with a message's receipts open at {width} px");

            // The earlier versions of the edited message.
            await chat.Locator("[data-seq='1'] [data-testid=chat-edited]").FocusAsync();
            await page.Keyboard.PressAsync("Enter");
            await Assertions.Expect(chat.Locator("[data-seq='1'] [data-testid=chat-version]")).ToHaveCountAsync(2, new() { Timeout = Timeout });
            await Shot(page, width, "versions");
            await Axe.AssertNoViolationsAsync(page, $"the chat with a message's earlier versions open at {width} px");

            // The delete confirmation, then kept.
            await own.Locator("button[data-testid=chat-delete]").FocusAsync();
            await page.Keyboard.PressAsync("Enter");
            await Assertions.Expect(own.Locator("[data-testid=chat-delete-confirm]")).ToBeVisibleAsync(new() { Timeout = Timeout });
            await AssertFitsAsync(page, width, "the chat asking to confirm a delete");
            await Shot(page, width, "delete-confirm");
            await Axe.AssertNoViolationsAsync(page, $"the chat asking to confirm a delete at {width} px");
            await own.Locator("button[data-testid=chat-delete-no]").ClickAsync();
            await Assertions.Expect(own.Locator("[data-testid=chat-delete-confirm]")).ToHaveCountAsync(0, new() { Timeout = Timeout });

            // Edit mode.
            await own.Locator("button[data-testid=chat-edit-start]").FocusAsync();
            await page.Keyboard.PressAsync("Enter");
            await Assertions.Expect(own.Locator("[data-testid=chat-edit-input] textarea, textarea[data-testid=chat-edit-input]")).ToBeVisibleAsync(new() { Timeout = Timeout });
            await AssertFitsAsync(page, width, "the chat editing a message");
            await Shot(page, width, "edit");
            await Axe.AssertNoViolationsAsync(page, $"the chat editing a message at {width} px");
            await own.Locator("button[data-testid=chat-edit-cancel]").ClickAsync();

            // A chat notification's toast: the BHC mentions the viewer in an urgent message.
            using (var bhc = await browser.HttpAsAsync(team.Bhc))
            {
                await PostAsync(bhc, threadId, "messages", new SendMessage("b-toast", "Can you sign the lithium level order?", MessagePriority.Urgent, Mentions: [team.Pcp]));
            }

            var toast = page.Locator(".mud-snackbar", new() { HasText = "Chat ·" });
            await Assertions.Expect(toast).ToBeVisibleAsync(new() { Timeout = Timeout });
            await AssertFitsAsync(page, width, "the page with a chat toast");
            await page.ScreenshotAsync(new() { Path = BrowserFixture.ScreenshotPath($"chat-screens-toast-{width}.png"), Animations = ScreenshotAnimations.Disabled });
            await Axe.AssertNoViolationsAsync(page, $"the patient page with a chat notification's toast at {width} px");
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }

    /// <summary>
    /// A new team whose first patient's thread holds, as the PCP will see it: the BHC's message, edited
    /// (1); the PCP's own message, read by the BHC (2); the BHC's urgent message asking the PCP to
    /// acknowledge (3); a BHC message deleted (4); the PCP's acknowledgement-requested message to the BHC,
    /// not yet acknowledged (5); and a new BHC message the PCP has not read (after the PCP's read cursor).
    /// </summary>
    private async Task<(TestTeam Team, string ThreadId)> SeedAsync()
    {
        var team = await browser.CreateTeamAsync();
        var threadId = ThreadIds.ForPatient(team.Patients[0])!;
        using var bhc = await browser.HttpAsAsync(team.Bhc);
        using var pcp = await browser.HttpAsAsync(team.Pcp);
        await PostAsync(bhc, threadId, "messages", new SendMessage("b-1", "She missed Tuesday's follow-up; I'll call her today."));
        await PostAsync(pcp, threadId, "messages", new SendMessage("p-1", "Thanks. Her PHQ-9 went from 12 to 18 since March, please screen for safety when you reach her."));
        await PostAsync(bhc, threadId, "messages", new SendMessage("b-2", "She reports passive SI, no plan. Safety plan updated: please confirm you have read it before her 3 pm visit.", MessagePriority.Urgent, AckRequested: true, Mentions: [team.Pcp]));
        await PostAsync(bhc, threadId, "messages", new SendMessage("b-3", "Wrong patient, ignore"));
        await PostAsync(pcp, threadId, "messages", new SendMessage("p-2", "Read it. Can you join the 3 pm visit in Exam 2?", AckRequested: true, Mentions: [team.Bhc]));
        await PostAsync(bhc, threadId, "edits", new EditMessage("b-4", 1, "She missed Tuesday's follow-up; I called, she comes Thursday at 10."));
        await PostAsync(bhc, threadId, "deletes", new DeleteMessage("b-5", 4));
        await PostAsync(bhc, threadId, "cursors", new ChatReceiptEndpoints.CursorReport(Delivered: 7, Read: 7));
        await PostAsync(pcp, threadId, "cursors", new ChatReceiptEndpoints.CursorReport(Delivered: 7, Read: 7));
        await PostAsync(bhc, threadId, "messages", new SendMessage("b-6", "Yes, I'll be there at 3."));
        return (team, threadId);
    }

    private static async Task PostAsync(HttpClient http, string threadId, string path, object body)
    {
        using var response = await http.PostAsJsonAsync($"api/threads/{threadId}/{path}", body, HuddleJson.Options);
        Assert.True(response.IsSuccessStatusCode, $"POST {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    private static async Task ThreadIsShownAsync(IPage page)
    {
        var chat = page.Locator("[data-testid=chat-panel]");
        await Assertions.Expect(chat.Locator("[data-testid=chat-message]")).ToHaveCountAsync(6, new() { Timeout = Timeout });
        await Assertions.Expect(chat.Locator("[data-seq='1'] [data-testid=chat-edited]")).ToBeVisibleAsync(new() { Timeout = Timeout });
        await Assertions.Expect(chat.Locator("[data-seq='4'] [data-testid=chat-deleted]")).ToBeVisibleAsync(new() { Timeout = Timeout });
        await Assertions.Expect(chat.Locator("[data-seq='3'] button[data-testid=chat-ack]")).ToBeVisibleAsync(new() { Timeout = Timeout });
        await Assertions.Expect(chat.Locator("[data-seq='2'] [data-testid=chat-receipt-toggle]")).ToContainTextAsync("Read by 1 of", new() { Timeout = Timeout });
        // The newest message is the one in view when the log scrolls (on a phone it does): a chat opens on its
        // latest words, as a clinician expects, not on the oldest with the newest hidden below.
        var newest = await chat.Locator("[data-testid=chat-log]").EvaluateAsync<double[]>(
            "log => { const box = log.getBoundingClientRect(); const last = log.querySelector('[data-testid=chat-message]:last-child').getBoundingClientRect(); return [box.bottom, last.bottom, last.top]; }");
        Assert.True(newest[1] <= newest[0] + 1 && newest[2] >= 0, $"The newest message ({newest[2]:F0}-{newest[1]:F0} px) is not in the log's view (bottom {newest[0]:F0} px).");
    }

    private static async Task AssertFitsAsync(IPage page, int width, string what)
    {
        var scrollWidth = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth");
        Assert.True(scrollWidth <= width, $"{what} is {scrollWidth} px wide at {width} px.");
    }

    private static Task Shot(IPage page, int width, string what) =>
        BrowserFixture.FullPageShotAsync(page, $"chat-screens-{what}-{width}.png");
}
