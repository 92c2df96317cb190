using Microsoft.Playwright;

namespace Huddle.Ui.Tests;

/// <summary>
/// The done-when for acknowledgement requests: two phones of one BHC and the PCP's laptop. The PCP
/// mentions the BHC with the autocomplete (keyboard only) and sends an urgent, acknowledgement-requested
/// message; both phones show it with an "Acknowledge" button and a chat notification (not a handoff ping);
/// the BHC acknowledges on one phone, and the other phone and the PCP's laptop show it at once.
/// </summary>
public sealed class ChatAckTests(BrowserFixture browser)
{
    private const float Timeout = 15_000;

    [Fact]
    public async Task An_urgent_ack_requested_message_reaches_both_phones_and_an_acknowledgement_on_one_shows_on_the_other_and_the_sender()
    {
        var team = await browser.CreateTeamAsync();
        var path = $"teams/{team.TeamId}/patients/{team.Patients[0]}";
        var phones = new List<IPage>();
        for (var i = 0; i < 2; i++)
        {
            var phone = await browser.SignedInPageAsync(team.Bhc, BrowserFixture.Phone);
            await phone.GotoAsync(path);
            await Assertions.Expect(phone.Locator("[data-testid=pings][data-ready=true]")).ToHaveCountAsync(1, new() { Timeout = Timeout });
            await Assertions.Expect(phone.Locator("[data-testid=chat-empty]")).ToBeVisibleAsync(new() { Timeout = Timeout });
            phones.Add(phone);
        }

        var laptop = await browser.SignedInPageAsync(team.Pcp, BrowserFixture.Desktop);
        await laptop.GotoAsync(path);
        await Assertions.Expect(laptop.Locator("[data-testid=pings][data-ready=true]")).ToHaveCountAsync(1, new() { Timeout = Timeout });
        await Assertions.Expect(laptop.Locator("[data-testid=chat-empty]")).ToBeVisibleAsync(new() { Timeout = Timeout });

        // Mention the BHC with the keyboard: type, pick with Enter.
        await laptop.Locator("input[data-testid=chat-mention], [data-testid=chat-mention] input").FocusAsync();
        await laptop.Keyboard.TypeAsync("Bea");
        await Assertions.Expect(laptop.GetByRole(AriaRole.Option, new() { Name = "Bea Holt" })).ToBeVisibleAsync(new() { Timeout = Timeout });
        await laptop.Keyboard.PressAsync("Enter");
        await Assertions.Expect(laptop.Locator("[data-testid=chat-mention-chip]")).ToHaveTextAsync("Bea Holt", new() { Timeout = Timeout });

        await laptop.Locator("[data-testid=chat-panel] textarea").FocusAsync();
        await laptop.Keyboard.TypeAsync("Safety plan updated: please confirm you have read it before her 3 pm visit.");
        await laptop.Keyboard.PressAsync("Tab");
        await Assertions.Expect(laptop.Locator("input[data-testid=chat-urgent], [data-testid=chat-urgent] input[type=checkbox]")).ToBeFocusedAsync();
        await laptop.Keyboard.PressAsync("Space");
        await laptop.Keyboard.PressAsync("Tab");
        await Assertions.Expect(laptop.Locator("input[data-testid=chat-ack-request], [data-testid=chat-ack-request] input[type=checkbox]")).ToBeFocusedAsync();
        await laptop.Keyboard.PressAsync("Space");
        await laptop.Keyboard.PressAsync("Tab");
        await Assertions.Expect(laptop.Locator("button[data-testid=chat-send]")).ToBeFocusedAsync();
        await laptop.Keyboard.PressAsync("Enter");

        var status = laptop.Locator("[data-testid=chat-message] [data-testid=chat-ack-status]");
        await Assertions.Expect(status).ToHaveTextAsync("Acknowledged by 0 of 1 · waiting: Bea Holt", new() { Timeout = Timeout });
        await Assertions.Expect(laptop.Locator("[data-testid=chat-message] [data-testid=chat-mentions]")).ToHaveTextAsync("Mentions: Bea Holt");
        foreach (var phone in phones)
        {
            await Assertions.Expect(phone.Locator("[data-testid=chat-message] [data-testid=chat-urgent-mark]")).ToHaveTextAsync("Urgent", new() { Timeout = Timeout });
            await Assertions.Expect(phone.Locator("button[data-testid=chat-ack]")).ToBeVisibleAsync(new() { Timeout = Timeout });
            // The notification reads as chat, names no patient and says nothing of the message.
            await Assertions.Expect(phone.Locator("[data-testid=pings]")).ToHaveAttributeAsync("data-chat-shown", "1", new() { Timeout = Timeout });
            var toast = phone.Locator(".mud-snackbar", new() { HasText = "Chat · Urgent: acknowledgement requested — patient thread" });
            await Assertions.Expect(toast).ToBeVisibleAsync(new() { Timeout = Timeout });
            await Assertions.Expect(toast).Not.ToContainTextAsync("Alma");
            await Assertions.Expect(toast).Not.ToContainTextAsync("Safety plan");
            await Assertions.Expect(phone.Locator("[data-testid=pings]")).ToHaveAttributeAsync("data-shown", "0");
        }

        await phones[0].Locator("button[data-testid=chat-ack]").ClickAsync();
        foreach (var phone in phones)
        {
            await Assertions.Expect(phone.Locator("[data-testid=chat-acked]")).ToHaveTextAsync("You acknowledged", new() { Timeout = Timeout });
            await Assertions.Expect(phone.Locator("button[data-testid=chat-ack]")).ToHaveCountAsync(0);
            await Assertions.Expect(phone.Locator("[data-testid=chat-ack-status]")).ToHaveTextAsync("Acknowledged by 1 of 1");
        }

        await Assertions.Expect(status).ToHaveTextAsync("Acknowledged by 1 of 1", new() { Timeout = Timeout });
        // One acknowledgement entry, folded: the log shows one message.
        await Assertions.Expect(laptop.Locator("[data-testid=chat-message]")).ToHaveCountAsync(1);

        var width = await phones[1].EvaluateAsync<int>("() => document.documentElement.scrollWidth");
        Assert.True(width <= 390, $"The page is {width} px wide on a 390 px phone.");
        await phones[1].Locator("[data-testid=chat-panel]").ScrollIntoViewIfNeededAsync();
        await phones[1].ScreenshotAsync(new() { Path = BrowserFixture.ScreenshotPath("chat-ack-390.png"), Animations = ScreenshotAnimations.Disabled });
    }
}
