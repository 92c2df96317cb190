using Huddle.Contracts.Chat;
using Microsoft.Playwright;

namespace Huddle.Ui.Tests;

/// <summary>
/// A direct message started from the chat list, as a clinician would on a phone: "Direct message to" their
/// teammate by name, Open, write; the teammate's chat list has it, unread. Axe-clean at 390 px.
/// </summary>
public sealed class DirectMessageTests(BrowserFixture browser)
{
    private const float Timeout = 15_000;

    [Fact]
    public async Task A_clinician_starts_a_direct_message_to_a_teammate_by_name_from_the_chat_list()
    {
        var team = await browser.CreateTeamAsync();
        var threadId = ThreadIds.ForDirect(team.Pcp, team.Bhc)!;
        var phone = await browser.SignedInPageAsync(team.Pcp, BrowserFixture.Phone);
        try
        {
            await phone.GotoAsync("threads");
            await Assertions.Expect(phone.Locator("[data-testid=direct-start]")).ToBeVisibleAsync(new() { Timeout = Timeout });
            await Axe.AssertNoViolationsAsync(phone, "the chat list with its direct-message picker at 390 px");
            // Nobody picked yet: Open does nothing.
            await Assertions.Expect(phone.Locator("button[data-testid=direct-open]")).ToBeDisabledAsync();
            await phone.Locator("[data-testid=direct-with]").ClickAsync();
            var option = phone.Locator($"[data-testid=direct-option][data-user-id={team.Bhc}]");
            await Assertions.Expect(option).ToContainTextAsync("Bea Holt · Behavioral health consultant", new() { Timeout = Timeout });
            // Only teammates, not the clinician themself.
            await Assertions.Expect(phone.Locator($"[data-testid=direct-option][data-user-id={team.Pcp}]")).ToHaveCountAsync(0);
            await option.ClickAsync();
            await phone.Locator("button[data-testid=direct-open]").ClickAsync();

            await Assertions.Expect(phone).ToHaveURLAsync(new System.Text.RegularExpressions.Regex($"/threads/{System.Text.RegularExpressions.Regex.Escape(threadId)}$"), new() { Timeout = Timeout });
            await Assertions.Expect(phone.Locator("[data-testid=chat-panel] h2")).ToHaveTextAsync("Direct messages with Bea Holt", new() { Timeout = Timeout });
            var input = phone.Locator("[data-testid=chat-panel] textarea");
            await Assertions.Expect(input).ToBeEnabledAsync(new() { Timeout = Timeout });
            await input.FillAsync("Can we talk about Ms. K. after clinic?");
            await phone.Locator("button[data-testid=chat-send]").ClickAsync();
            await Assertions.Expect(phone.Locator("[data-testid=chat-message]")).ToHaveCountAsync(1, new() { Timeout = Timeout });
            await BrowserFixture.FullPageShotAsync(phone, "direct-message-390.png");
        }
        finally
        {
            await phone.Context.CloseAsync();
        }

        // The teammate's chat list has it, with the message unread.
        var bhc = await browser.SignedInPageAsync(team.Bhc, BrowserFixture.Desktop);
        try
        {
            await bhc.GotoAsync("threads");
            var listed = bhc.Locator($"[data-testid=thread][data-thread-id='{threadId}']");
            await Assertions.Expect(listed).ToHaveAttributeAsync("data-unread", "1", new() { Timeout = Timeout });
            await Assertions.Expect(listed).ToContainTextAsync("Dr. Pat Carter");
        }
        finally
        {
            await bhc.Context.CloseAsync();
        }

        // The team's room display, at the same address, has no chats and is offered nobody to write to. (The page
        // shows its list, empty or not, in the render after it has also read whom it may offer: so the picker
        // would be there by then.)
        var display = await browser.SignedInPageAsync(team.Display, BrowserFixture.Desktop);
        try
        {
            await display.GotoAsync("threads");
            await Assertions.Expect(display.Locator("[data-testid=threads-empty]")).ToBeVisibleAsync(new() { Timeout = Timeout });
            await Assertions.Expect(display.Locator("[data-testid=direct-start]")).ToHaveCountAsync(0);
        }
        finally
        {
            await display.Context.CloseAsync();
        }
    }
}
