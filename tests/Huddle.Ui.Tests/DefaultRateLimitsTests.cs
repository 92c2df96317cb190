using System.Net.Http.Json;
using Huddle.Contracts.Chat;
using Huddle.Web.Http;
using Microsoft.Playwright;

namespace Huddle.Ui.Tests;

/// <summary>
/// A page used as a clinician uses it, on a host with the production rate limits (the suite's other hosts
/// lift them): a long message typed into the team's chat is sent whole, and the page stays live. A page's
/// own connection (its Blazor circuit) carries 2-3 calls per key typed; counted against the hub's 100 a
/// minute, typing ran over in seconds, the rest of the keys and the page's render acknowledgements were
/// refused, the text was lost and the page stopped updating (docs/security.md, "Rate limits").
/// </summary>
public sealed class DefaultRateLimitsTests(DefaultRateLimitsTests.DefaultLimitsBrowser browser) : IClassFixture<DefaultRateLimitsTests.DefaultLimitsBrowser>
{
    private const float Timeout = 15_000;

    /// <summary>The app (with the default rate limits) and Chromium.</summary>
    public sealed class DefaultLimitsBrowser : BrowserFixture
    {
        protected override bool LiftsRateLimits => false;
    }

    [Fact]
    public async Task A_long_message_typed_into_the_team_chat_is_sent_whole_and_the_page_stays_live()
    {
        var team = await browser.CreateTeamAsync();
        var page = await browser.SignedInPageAsync(team.Pcp, BrowserFixture.Desktop);
        try
        {
            await page.GotoAsync($"teams/{team.TeamId}/board");
            await BrowserFixture.BoardIsLiveAsync(page);
            var chat = page.Locator("[data-testid=team-chat] [data-testid=chat-panel]");

            // About 600 characters, typed key by key: some 1,500 calls on the page's connection.
            var text = string.Join(' ', Enumerable.Repeat("Ms. K. missed her follow-up; I called and she comes Thursday at 10.", 9));
            await chat.Locator("textarea").FocusAsync();
            await page.Keyboard.TypeAsync(text);
            await chat.Locator("button[data-testid=chat-send]").ClickAsync();
            await Assertions.Expect(chat.Locator("[data-seq='1'] [data-testid=chat-text]")).ToHaveTextAsync(text, new() { Timeout = Timeout });

            // Still live: a teammate's message arrives on the page.
            using (var bhc = await browser.HttpAsAsync(team.Bhc))
            {
                (await bhc.PostAsJsonAsync($"api/threads/{ThreadIds.ForTeam(team.TeamId)}/messages", new SendMessage("b-1", "Thanks, I'll see her after."), HuddleJson.Options))
                    .EnsureSuccessStatusCode();
            }

            await Assertions.Expect(chat.Locator("[data-seq='2'] [data-testid=chat-text]")).ToHaveTextAsync("Thanks, I'll see her after.", new() { Timeout = Timeout });
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }
}
