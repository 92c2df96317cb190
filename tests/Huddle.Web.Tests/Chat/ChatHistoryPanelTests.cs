using System.Security.Claims;
using Bunit;
using Huddle.Contracts.Chat;
using Huddle.Testing;
using Huddle.Web.Auth;
using Huddle.Web.Chat;
using Microsoft.Extensions.DependencyInjection;

namespace Huddle.Web.Tests.Chat;

/// <summary>The chat panel's history on the real grains: an edit shows "edited" with its versions, a delete leaves only its trace.</summary>
public sealed class ChatHistoryPanelTests(HuddleAppFixture app) : IAsyncDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private readonly BunitContext _ctx = MudBunit.CreateContext();

    private IRenderedComponent<ChatPanel> Render(TestTeam team, string threadId)
    {
        _ctx.Services.AddSingleton(app.App.Services.GetRequiredService<ChatService>());
        _ctx.AddAuthorization().SetAuthorized("Dr. Pat Carter").SetClaims(new Claim(HuddleClaims.UserId, team.Pcp));
        _ctx.SetRendererInfo(new Microsoft.AspNetCore.Components.RendererInfo("Server", true));
        var names = new Dictionary<string, string> { [team.Bhc] = "Bea Holt" };
        var panel = _ctx.Render<ChatPanel>(p => p.Add(x => x.ThreadId, threadId).Add(x => x.UserId, team.Pcp).Add(x => x.Names, names).Add(x => x.TimeZoneId, "UTC"));
        panel.WaitForAssertion(() => Assert.NotNull(panel.Find("[data-testid=chat-messages]")), Timeout);
        return panel;
    }

    [Fact]
    public async Task The_sender_edits_and_deletes_their_message_members_see_edited_with_versions_and_then_only_the_trace()
    {
        var team = await app.CreateTeamAsync();
        var threadId = ThreadIds.ForTeam(team.TeamId)!;
        var chat = app.App.Services.GetRequiredService<ChatService>();
        Assert.True((await chat.SendAsync(team.Pcp, threadId, new SendMessage("p-1", "See her in room 4"))).Ok);
        Assert.True((await chat.SendAsync(team.Bhc, threadId, new SendMessage("b-1", "On my way"))).Ok);
        var panel = Render(team, threadId);
        panel.WaitForAssertion(() => Assert.Equal(2, panel.FindAll("[data-testid=chat-message]").Count), Timeout);

        // Only one's own message has Edit and Delete.
        var (mine, theirs) = (panel.FindAll("[data-testid=chat-message]")[0], panel.FindAll("[data-testid=chat-message]")[1]);
        Assert.NotNull(mine.QuerySelector("[data-testid=chat-edit-start]"));
        Assert.Null(theirs.QuerySelector("[data-testid=chat-edit-start]"));
        Assert.Null(theirs.QuerySelector("[data-testid=chat-delete]"));

        await panel.InvokeAsync(() => panel.Find("[data-seq='1'] [data-testid=chat-edit-start]").Click());
        await panel.InvokeAsync(() => panel.Find("[data-testid=chat-edit] textarea").Change("See her in room 5"));
        await panel.InvokeAsync(() => panel.Find("[data-testid=chat-edit-save]").Click());
        panel.WaitForAssertion(() => Assert.Equal("See her in room 5", panel.Find("[data-seq='1'] [data-testid=chat-text]").TextContent), Timeout);
        Assert.Equal(2, panel.FindAll("[data-testid=chat-message]").Count);
        await panel.InvokeAsync(() => panel.Find("[data-seq='1'] [data-testid=chat-edited]").Click());
        panel.WaitForAssertion(() => Assert.Equal(["See her in room 4", "See her in room 5"],
            panel.FindAll("[data-seq='1'] [data-testid=chat-version] .chat-version__text").Select(v => v.TextContent)), Timeout);

        // Someone else's edit arrives live and shows as edited.
        Assert.True((await chat.EditAsync(team.Bhc, threadId, new EditMessage("b-2", 2, "On my way, 2 minutes"))).Ok);
        panel.WaitForAssertion(() => Assert.Equal("On my way, 2 minutes", panel.Find("[data-seq='2'] [data-testid=chat-text]").TextContent), Timeout);
        Assert.NotNull(panel.Find("[data-seq='2'] [data-testid=chat-edited]"));

        // A delete asks first, then leaves only the trace: no text, no versions, no tools.
        await panel.InvokeAsync(() => panel.Find("[data-seq='1'] [data-testid=chat-delete]").Click());
        await panel.InvokeAsync(() => panel.Find("[data-testid=chat-delete-yes]").Click());
        panel.WaitForAssertion(() => Assert.StartsWith("Message deleted by You at ", panel.Find("[data-seq='1'] [data-testid=chat-deleted]").TextContent, StringComparison.Ordinal), Timeout);
        Assert.DoesNotContain("room 4", panel.Markup, StringComparison.Ordinal);
        Assert.DoesNotContain("room 5", panel.Markup, StringComparison.Ordinal);
        Assert.Null(panel.Find("[data-seq='1']").QuerySelector("[data-testid=chat-edit-start]"));

        // Another member's screen, opened afresh, shows the same trace with the sender's name.
        var other = MudBunit.CreateContext();
        await using var _ = other;
        other.Services.AddSingleton(chat);
        other.AddAuthorization().SetAuthorized("Bea Holt").SetClaims(new Claim(HuddleClaims.UserId, team.Bhc));
        other.SetRendererInfo(new Microsoft.AspNetCore.Components.RendererInfo("Server", true));
        var theirPanel = other.Render<ChatPanel>(p => p.Add(x => x.ThreadId, threadId).Add(x => x.UserId, team.Bhc)
            .Add(x => x.Names, new Dictionary<string, string> { [team.Pcp] = "Dr. Pat Carter" }).Add(x => x.TimeZoneId, "UTC"));
        theirPanel.WaitForAssertion(() => Assert.StartsWith("Message deleted by Dr. Pat Carter at ", theirPanel.Find("[data-seq='1'] [data-testid=chat-deleted]").TextContent, StringComparison.Ordinal), Timeout);
        Assert.Equal(2, theirPanel.FindAll("[data-testid=chat-message]").Count);
    }

    public ValueTask DisposeAsync() => _ctx.DisposeAsync();
}
