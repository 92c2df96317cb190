using System.Security.Claims;
using Bunit;
using Huddle.Contracts.Chat;
using Huddle.Testing;
using Huddle.Web.Auth;
using Huddle.Web.Chat;
using Microsoft.Extensions.DependencyInjection;

namespace Huddle.Web.Tests.Chat;

/// <summary>The chat panel on the real grains and relay: text is text, links are safe, messages arrive live, a send shows once.</summary>
public sealed class ChatPanelTests(HuddleAppFixture app) : IAsyncDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private readonly BunitContext _ctx = MudBunit.CreateContext();

    private IRenderedComponent<ChatPanel> Render(TestTeam team, string threadId, bool interactive = true)
    {
        _ctx.Services.AddSingleton(app.App.Services.GetRequiredService<ChatService>());
        _ctx.AddAuthorization().SetAuthorized("Dr. Pat Carter").SetClaims(new Claim(HuddleClaims.UserId, team.Pcp));
        // Live (as the app's pages run), or the server-rendered first paint.
        _ctx.SetRendererInfo(new Microsoft.AspNetCore.Components.RendererInfo(interactive ? "Server" : "Static", interactive));
        var names = new Dictionary<string, string> { [team.Bhc] = "Bea Holt" };
        var panel = _ctx.Render<ChatPanel>(p => p.Add(x => x.ThreadId, threadId).Add(x => x.UserId, team.Pcp).Add(x => x.Names, names).Add(x => x.TimeZoneId, "UTC"));
        panel.WaitForAssertion(() => Assert.NotNull(panel.Find("[data-testid=chat-messages]")), Timeout);
        return panel;
    }

    [Fact]
    public async Task Html_and_script_in_a_message_render_as_text_and_only_http_links_are_links_opened_apart()
    {
        var team = await app.CreateTeamAsync();
        var threadId = ThreadIds.ForPatient(team.Patients[0])!;
        const string Payload = """<script>alert(1)</script><img src=x onerror="alert(2)"> <a href="javascript:alert(3)">click</a> javascript:alert(4) see https://example.org/care?x=1&y=2. or http://intranet.local/plan""";
        var chat = app.App.Services.GetRequiredService<ChatService>();
        Assert.True((await chat.SendAsync(team.Bhc, threadId, new SendMessage("xss-1", Payload))).Ok);

        var panel = Render(team, threadId);
        panel.WaitForAssertion(() => Assert.Single(panel.FindAll("[data-testid=chat-message]")), Timeout);
        var text = panel.Find("[data-testid=chat-text]");
        // Every character arrived as text: nothing became an element but the two http(s) links.
        Assert.Equal(Payload, text.TextContent);
        Assert.Empty(text.QuerySelectorAll("script, img, [onerror]"));
        var links = text.QuerySelectorAll("a");
        Assert.Equal(["https://example.org/care?x=1&y=2", "http://intranet.local/plan"], links.Select(a => a.GetAttribute("href")));
        Assert.All(links, a => Assert.Equal(("noopener noreferrer", "_blank"), (a.GetAttribute("rel"), a.GetAttribute("target"))));
        Assert.DoesNotContain("<script>", panel.Markup, StringComparison.Ordinal);
        Assert.Equal("Bea Holt", panel.Find(".chat-sender").TextContent);
    }

    [Fact]
    public async Task A_message_from_someone_else_arrives_live_and_one_sent_from_the_panel_shows_once()
    {
        var team = await app.CreateTeamAsync();
        var threadId = ThreadIds.ForPatient(team.Patients[1])!;
        var panel = Render(team, threadId);
        Assert.NotNull(panel.Find("[data-testid=chat-empty]"));
        // Send on an empty box says what is missing and sends nothing.
        await panel.InvokeAsync(() => panel.Find("button[data-testid=chat-send]").Click());
        panel.WaitForAssertion(() => Assert.Equal("Write a message first.", panel.Find("[data-testid=chat-send-error]").TextContent), Timeout);

        var chat = app.App.Services.GetRequiredService<ChatService>();
        Assert.True((await chat.SendAsync(team.Bhc, threadId, new SendMessage("b-1", "PHQ-9 is 17 today", MessagePriority.Urgent))).Ok);
        panel.WaitForAssertion(() => Assert.Equal("PHQ-9 is 17 today", panel.Find("[data-testid=chat-text]").TextContent), Timeout);
        Assert.Equal("Urgent", panel.Find("[data-testid=chat-urgent-mark]").TextContent);

        await panel.InvokeAsync(() => panel.Find("textarea").Change("I'll see her after this visit"));
        await panel.InvokeAsync(() => panel.Find("button[data-testid=chat-send]").Click());
        panel.WaitForAssertion(() => Assert.Equal(2, panel.FindAll("[data-testid=chat-message]").Count), Timeout);
        Assert.Equal(["Bea Holt", "You"], panel.FindAll(".chat-sender").Select(s => s.TextContent));
        // The live push can show the message before the send's own reply returns and clears the box.
        panel.WaitForAssertion(() => Assert.Equal("", panel.Find("textarea").GetAttribute("value") ?? ""), Timeout);

        // The server has it once, whatever the live push and the panel's own catch-up both carried.
        var stored = (await chat.ReadAsync(team.Pcp, threadId, 0)).Value!;
        Assert.Equal([1L, 2L], stored.Changes.Select(c => c.Seq));
        Assert.Equal(new long[] { 1, 2 }, panel.FindAll("[data-testid=chat-message]").Select(m => long.Parse(m.GetAttribute("data-seq")!, System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Fact]
    public async Task Earlier_messages_load_on_request_and_a_non_member_sees_why_not_and_no_message()
    {
        var team = await app.CreateTeamAsync();
        var threadId = ThreadIds.ForTeam(team.TeamId)!;
        var chat = app.App.Services.GetRequiredService<ChatService>();
        for (var i = 1; i <= ChatLimits.SnapshotMessages + 10; i++)
        {
            Assert.True((await chat.SendAsync(team.Bhc, threadId, new SendMessage($"m-{i}", $"Note {i}"))).Ok);
        }

        var panel = Render(team, threadId);
        panel.WaitForAssertion(() => Assert.Equal(ChatLimits.SnapshotMessages, panel.FindAll("[data-testid=chat-message]").Count), Timeout);
        await panel.InvokeAsync(() => panel.Find("button[data-testid=chat-earlier]").Click());
        panel.WaitForAssertion(() => Assert.Equal(ChatLimits.SnapshotMessages + 10, panel.FindAll("[data-testid=chat-message]").Count), Timeout);
        Assert.Empty(panel.FindAll("[data-testid=chat-earlier]"));
        Assert.Equal("Note 1", panel.Find("[data-testid=chat-text]").TextContent);

        await using var other = MudBunit.CreateContext();
        other.Services.AddSingleton(chat);
        other.SetRendererInfo(new Microsoft.AspNetCore.Components.RendererInfo("Server", true));
        var outsider = other.Render<ChatPanel>(p => p.Add(x => x.ThreadId, threadId).Add(x => x.UserId, team.Outsider));
        outsider.WaitForAssertion(() => Assert.Equal("forbidden", outsider.Find("[data-testid=chat-error]").GetAttribute("data-code")), Timeout);
        Assert.Empty(outsider.FindAll("[data-testid=chat-message]"));
    }

    [Fact]
    public async Task Before_the_page_is_live_the_message_box_and_send_cannot_be_used()
    {
        var team = await app.CreateTeamAsync();
        // The server-rendered first paint: what is typed there would be lost when the live page takes over.
        var panel = Render(team, ThreadIds.ForPatient(team.Patients[0])!, interactive: false);
        Assert.True(panel.Find("textarea[data-testid=chat-input], [data-testid=chat-input] textarea").HasAttribute("disabled"));
        Assert.True(panel.Find("button[data-testid=chat-send]").HasAttribute("disabled"));
    }

    public async ValueTask DisposeAsync() => await _ctx.DisposeAsync();
}
