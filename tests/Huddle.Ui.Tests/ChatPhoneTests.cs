using Microsoft.Playwright;

namespace Huddle.Ui.Tests;

/// <summary>
/// The patient's chat on a 390 px phone and a laptop: the PCP writes an urgent message with the
/// keyboard alone, the BHC's page shows it live, a long address wraps instead of widening the phone,
/// and a link opens apart. Screenshot at 390 px.
/// </summary>
public sealed class ChatPhoneTests(BrowserFixture browser)
{
    private const float Timeout = 15_000;

    [Fact]
    public async Task An_urgent_message_typed_on_a_phone_with_the_keyboard_reaches_the_laptop_live_and_fits_the_phone()
    {
        var team = await browser.CreateTeamAsync();
        var path = $"teams/{team.TeamId}/patients/{team.Patients[0]}";
        var laptop = await browser.SignedInPageAsync(team.Bhc, BrowserFixture.Desktop);
        await laptop.GotoAsync(path);
        // Interactive (the circuit is connected), not the prerendered page: keys typed before that are lost.
        await Assertions.Expect(laptop.Locator("[data-testid=pings][data-ready=true]")).ToHaveCountAsync(1, new() { Timeout = Timeout });
        await Assertions.Expect(laptop.Locator("[data-testid=chat-empty]")).ToBeVisibleAsync(new() { Timeout = Timeout });
        var phone = await browser.SignedInPageAsync(team.Pcp, BrowserFixture.Phone);
        await phone.GotoAsync(path);
        await Assertions.Expect(phone.Locator("[data-testid=pings][data-ready=true]")).ToHaveCountAsync(1, new() { Timeout = Timeout });
        await Assertions.Expect(phone.Locator("[data-testid=chat-empty]")).ToBeVisibleAsync(new() { Timeout = Timeout });

        const string Text = "Her plan is at https://intranet.example.org/care-plans/2026/very-long-path-that-would-not-fit-a-phone-screen?patient=opaque-id-123 — can you review?";
        await phone.Locator("[data-testid=chat-panel] textarea").FocusAsync();
        await phone.Keyboard.TypeAsync(Text);
        await phone.Keyboard.PressAsync("Tab");
        await Assertions.Expect(phone.Locator("input[data-testid=chat-urgent], [data-testid=chat-urgent] input[type=checkbox]")).ToBeFocusedAsync();
        await phone.Keyboard.PressAsync("Space");
        await phone.Keyboard.PressAsync("Tab");
        await Assertions.Expect(phone.Locator("input[data-testid=chat-ack-request], [data-testid=chat-ack-request] input[type=checkbox]")).ToBeFocusedAsync();
        await phone.Keyboard.PressAsync("Tab");
        await Assertions.Expect(phone.Locator("button[data-testid=chat-send]")).ToBeFocusedAsync();
        await phone.Keyboard.PressAsync("Enter");

        foreach (var page in new[] { phone, laptop })
        {
            var message = page.Locator("[data-testid=chat-message]");
            await Assertions.Expect(message).ToHaveCountAsync(1, new() { Timeout = Timeout });
            await Assertions.Expect(message.Locator("[data-testid=chat-text]")).ToHaveTextAsync(Text);
            await Assertions.Expect(message.Locator("[data-testid=chat-urgent-mark]")).ToHaveTextAsync("Urgent");
            var link = message.Locator("a");
            await Assertions.Expect(link).ToHaveAttributeAsync("rel", "noopener noreferrer");
            await Assertions.Expect(link).ToHaveAttributeAsync("target", "_blank");
        }

        // The input is cleared by the circuit once the send is answered: a render away, slower on a busy machine.
        await Assertions.Expect(phone.Locator("[data-testid=chat-panel] textarea")).ToHaveValueAsync("", new() { Timeout = Timeout });
        await Assertions.Expect(laptop.Locator(".chat-sender")).ToHaveTextAsync("Dr. Pat Carter");
        // Nothing is wider than the phone: the address wraps.
        var width = await phone.EvaluateAsync<int>("() => document.documentElement.scrollWidth");
        Assert.True(width <= 390, $"The page is {width} px wide on a 390 px phone.");
        await phone.Locator("[data-testid=chat-panel]").ScrollIntoViewIfNeededAsync();
        await phone.ScreenshotAsync(new() { Path = BrowserFixture.ScreenshotPath("chat-390.png"), Animations = ScreenshotAnimations.Disabled });
    }
}
