using Bunit;
using Huddle.Testing;
using Huddle.Web.Auth;
using Huddle.Web.Boards;
using Microsoft.Extensions.DependencyInjection;

namespace Huddle.Web.Tests;

/// <summary>What opening a board page costs the grains: one open per feed (the team's chat's two among them), one call on the team's grain, the chat's delivered report, and the status picker's read of the clinician's own presence.</summary>
public sealed class BoardPageCallsTests(HuddleAppFixture app)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    private BunitContext Context(string userId)
    {
        var ctx = MudBunit.CreateContext();
        ctx.Services.AddSingleton(app.App.Services.GetRequiredService<BoardService>());
        ctx.Services.AddSingleton(app.App.Services.GetRequiredService<Web.Handoffs.HandoffService>());
        ctx.Services.AddSingleton(app.App.Services.GetRequiredService<Web.Presence.TeamPresenceService>());
        ctx.Services.AddSingleton(app.App.Services.GetRequiredService<Web.Presence.PresenceService>());
        ctx.Services.AddSingleton(app.App.Services.GetRequiredService<Web.Chat.ChatService>());
        ctx.AddAuthorization().SetAuthorized(userId).SetClaims(new System.Security.Claims.Claim(HuddleClaims.UserId, userId));
        ctx.SetRendererInfo(new Microsoft.AspNetCore.Components.RendererInfo("Server", isInteractive: true));
        return ctx;
    }

    /// <summary>Renders the board page and waits until the board and its two live strips show.</summary>
    private static IRenderedComponent<BoardPage> Open(BunitContext ctx, string teamId)
    {
        var page = ctx.Render<BoardPage>(p => p.Add(x => x.TeamId, teamId));
        page.WaitForAssertion(() =>
        {
            Assert.NotEmpty(page.FindAll("[data-testid=board]"));
            Assert.NotEmpty(page.FindAll("[data-testid=team-presence]"));
            Assert.NotEmpty(page.FindAll("[data-testid=open-handoffs]"));
            Assert.NotEmpty(page.FindAll("[data-testid=team-chat] [data-testid=chat-messages]"));
        }, Timeout);
        return page;
    }

    [Fact]
    public async Task Opening_a_board_page_is_one_open_per_feed_one_of_them_on_the_teams_grain_and_the_chats_cursor_report()
    {
        var team = await app.CreateTeamAsync();
        // An open handoff, so the board's handoff strip shows once its feed is open.
        await app.RequestOneAsync(team);

        // A colleague already has the board open on this host: its feeds are attached (subscribed
        // once per host, renewed every 30 s) and the grains are warm, as in a clinic's day.
        // Its chat's receipts open last (after its delivered report): waited for, or that open is counted below.
        var threadId = Contracts.Chat.ThreadIds.ForTeam(team.TeamId)!;
        var colleagues = app.GrainCalls.Watch(threadId);
        await using var colleague = Context(team.Pcp);
        Open(colleague, team.TeamId).WaitForAssertion(() => Assert.Contains(colleagues, IsReceiptsOpen), Timeout);

        var seqsBefore = await FeedSeqsAsync(team);
        var calls = app.GrainCalls.Watch(team.TeamId, team.Pcp, team.Bhc, team.Display, threadId);
        await using var ctx = Context(team.Bhc);
        var page = Open(ctx, team.TeamId);
        // The chat's receipts open after its delivered report, once its messages show.
        page.WaitForAssertion(() => Assert.Contains(calls, IsReceiptsOpen), Timeout);

        // A renewal may land meanwhile: it is the host's, not the opening's. So is the host's one watch of
        // the BHC's access (at the BHC's grain, before their first feed on this host opens).
        var opening = calls.Where(c => c.Method is not ("SubscribeAsync" or "WatchAccessAsync")).ToList();
        Assert.True(calls.Count(c => c.Method == "WatchAccessAsync") <= 1, $"More than one watch of the BHC's access: {string.Join(", ", calls)}");
        var all = string.Join(", ", opening);
        var seqsAfter = await FeedSeqsAsync(team);
        // The board's three feeds, one open each, the team's grain asked once (the desk and the roster
        // answer access from their copies of the team's profile). A feed that changed while it opened
        // may be read once more: the relay reads what it relayed between the owner's answer and the join.
        foreach (var grainType in new[] { "careteam", "teampresence", "teamhandoffs" })
        {
            var count = opening.Count(c => c.GrainType == grainType);
            Assert.True(count == 1 || (count == 2 && seqsAfter[grainType] > seqsBefore[grainType]),
                $"{grainType}: {count} calls with its feed at seq {seqsBefore[grainType]} before and {seqsAfter[grainType]} after: {all}");
        }

        // The team's chat: its two feeds (messages, receipts), members known from the thread's own copy
        // of the team's profile; then the device's delivered report to the clinician's own grain, which
        // checks it with the thread. Nothing else.
        // Each once, or twice when it changed while it opened.
        foreach (var kind in new[] { Contracts.Chat.IThreadGrain.Feed, Contracts.Chat.IThreadGrain.ReceiptsFeed })
        {
            var count = opening.Count(c => c is { GrainType: "thread", Method: "OpenAsync" } && c.FirstArgument == kind);
            Assert.True(count == 1 || (count == 2 && seqsAfter[kind] > seqsBefore[kind]),
                $"thread {kind}: {count} opens with its feed at seq {seqsBefore[kind]} before and {seqsAfter[kind]} after: {all}");
        }

        Assert.DoesNotContain(opening, c => c is { GrainType: "thread", Method: "OpenAsync" }
            && c.FirstArgument is not (Contracts.Chat.IThreadGrain.Feed or Contracts.Chat.IThreadGrain.ReceiptsFeed));
        string[] cursorReport = ["ReportAsync", "CheckCursorAsync", "TakeCursorAsync", "InvokeCallbackAsync"];
        Assert.All(opening.Where(c => c.GrainType is "thread" or "threadlist" && c.Method != "OpenAsync"),
            c => Assert.Contains(c.Method, cursorReport));
        // The status picker: the clinician's own chosen status, read once from their presence grain.
        Assert.Single(opening, c => c.GrainType == "presence");
        Assert.Equal("GetAsync", opening.Single(c => c.GrainType == "presence").Method);
        Assert.True(opening.All(c => c.GrainType is "careteam" or "teampresence" or "teamhandoffs" or "thread" or "threadlist" or "presence"),
            $"Opening the board page called other grains: {all}");

        // The panel is read when the add menu opens, not before.
        Assert.DoesNotContain(opening, c => c.GrainType == "panel");
        Assert.Empty(page.FindAll("[data-testid=add-patient]"));
    }

    private static bool IsReceiptsOpen(GrainCall call) =>
        call is { GrainType: "thread", Method: "OpenAsync", FirstArgument: Contracts.Chat.IThreadGrain.ReceiptsFeed };

    /// <summary>The seq of each of the board page's three team feeds, by the grain type that owns it, and of the team chat's two, by kind.</summary>
    private async Task<Dictionary<string, long>> FeedSeqsAsync(TestTeam team)
    {
        var grains = app.App.Services.GetRequiredService<IGrainFactory>();
        Contracts.Chat.IThreadGrain Thread() => grains.GetGrain<Contracts.Chat.IThreadGrain>(Contracts.Chat.ThreadIds.ForTeam(team.TeamId)!);
        async Task<long> SeqAsync(Contracts.Live.IFeedGrain owner, string kind) =>
            (await owner.OpenAsync(kind, team.Pcp, null)).Value!.Seq;
        return new()
        {
            ["careteam"] = await SeqAsync(grains.GetGrain<Contracts.CareTeams.ICareTeamGrain>(team.TeamId), Contracts.CareTeams.ICareTeamGrain.BoardFeed),
            ["teampresence"] = await SeqAsync(grains.GetGrain<Contracts.Presence.ITeamPresenceGrain>(team.TeamId), Contracts.Presence.ITeamPresenceGrain.Feed),
            ["teamhandoffs"] = await SeqAsync(grains.GetGrain<Contracts.Handoffs.ITeamHandoffsGrain>(team.TeamId), Contracts.Handoffs.ITeamHandoffsGrain.Feed),
            [Contracts.Chat.IThreadGrain.Feed] = await SeqAsync(Thread(), Contracts.Chat.IThreadGrain.Feed),
            [Contracts.Chat.IThreadGrain.ReceiptsFeed] = await SeqAsync(Thread(), Contracts.Chat.IThreadGrain.ReceiptsFeed),
        };
    }

    [Fact]
    public async Task The_add_menu_reads_the_panel_when_it_first_opens_and_lists_its_patients()
    {
        var team = await app.CreateTeamAsync();
        await app.RequestOneAsync(team);
        await using var ctx = Context(team.Pcp);
        // The menu's items render in the popover provider, as in the app's layout.
        var popovers = ctx.Render<MudBlazor.MudPopoverProvider>();
        var page = Open(ctx, team.TeamId);
        var calls = app.GrainCalls.Watch(team.TeamId);

        await page.Find("[data-testid=add-card][data-lane-id=lane-1] button").ClickAsync(new());
        popovers.WaitForAssertion(() => Assert.Equal(team.Patients, popovers.FindAll("[data-testid=add-patient]").Select(e => e.GetAttribute("data-patient-id"))), Timeout);

        Assert.Single(calls, c => c.GrainType == "panel");

        // Opened again: read once is enough.
        await page.Find("[data-testid=add-card][data-lane-id=lane-2] button").ClickAsync(new());
        Assert.Single(calls, c => c.GrainType == "panel");
    }
}
