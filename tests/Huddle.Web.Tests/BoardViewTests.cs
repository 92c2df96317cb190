using Bunit;
using Huddle.Testing;
using Huddle.Web.Http;
using Huddle.Web.Boards;
using Huddle.Web.Auth;
using Huddle.Web.Live;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using MudBlazor.Services;
using Huddle.Contracts.Boards;

namespace Huddle.Web.Tests;

/// <summary>
/// The board component in bUnit, set up the way MudBlazor tests its own components (loose JS
/// interop, no transitions), fed by the real grains and relay of the app fixture.
/// </summary>
public sealed class BoardViewTests(HuddleAppFixture app) : IAsyncDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private readonly (BunitContext Context, Bunit.TestDoubles.BunitAuthorizationContext Auth) _setup = CreateContext(app);
    private readonly List<LiveBoard> _boards = [];

    private BoardService Boards => app.App.Services.GetRequiredService<BoardService>();

    /// <summary>MudBlazor's bUnit set-up, the services the board's parts use from the app, and a live circuit.</summary>
    private BunitContext _ctx => _setup.Context;

    private static (BunitContext, Bunit.TestDoubles.BunitAuthorizationContext) CreateContext(HuddleAppFixture app)
    {
        var ctx = MudBunit.CreateContext();
        // The board's live strips (open handoffs, who is free) read through the app's relay, as the signed-in user.
        ctx.Services.AddSingleton(app.App.Services.GetRequiredService<Web.Handoffs.HandoffService>());
        ctx.Services.AddSingleton(app.App.Services.GetRequiredService<Web.Presence.TeamPresenceService>());
        var auth = ctx.AddAuthorization();
        // A live circuit, as in the browser: the board's controls appear only once it is interactive.
        ctx.SetRendererInfo(new RendererInfo("Server", isInteractive: true));
        return (ctx, auth);
    }

    /// <summary>Opens the team's live board as <paramref name="userId"/> and renders it.</summary>
    private async Task<IRenderedComponent<BoardView>> RenderAsync(string teamId, string userId, bool sharedScreen = false)
    {
        // Everything runs on the renderer's dispatcher, as in a real circuit: snapshot and changes
        // are applied one at a time.
        IRenderedComponent<BoardView>? cut = null;
        _setup.Auth.SetAuthorized(userId).SetClaims(new System.Security.Claims.Claim(HuddleClaims.UserId, userId));
        var dispatcher = _ctx.Renderer.Dispatcher;
        var live = await dispatcher.InvokeAsync(() => LiveBoard.OpenAsync(Boards, teamId, userId, sharedScreen,
            work => dispatcher.InvokeAsync(work),
            () => cut?.Render()));
        _boards.Add(live);
        cut = _ctx.Render<BoardView>(p => p.Add(x => x.Live, live).Add(x => x.SharedScreen, sharedScreen));
        return cut;
    }

    [Fact]
    public async Task Shows_every_lane_with_its_cards_in_order()
    {
        var team = await app.CreateTeamAsync();
        await Boards.ExecuteAsync(team.Pcp, team.TeamId, new AddCard(team.Patients[0], "lane-2", team.Bhc, Note: "warm handoff"));
        await Boards.ExecuteAsync(team.Pcp, team.TeamId, new AddCard(team.Patients[1], "lane-2"));

        var cut = await RenderAsync(team.TeamId, team.Pcp);

        Assert.Equal(["To discuss", "Needs BH today", "Follow-up due", "Done"], cut.FindAll(".lane__title").Select(e => e.TextContent.Trim()));
        var lane = cut.Find("[data-lane-id=lane-2]");
        Assert.Equal(["Alma Reyes", "Boris Ng"], lane.QuerySelectorAll("[data-testid=card-name]").Select(e => e.TextContent.Trim()));
        Assert.Contains("Bea Holt", lane.TextContent, StringComparison.Ordinal);
        Assert.Contains("warm handoff", lane.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_change_made_elsewhere_appears_without_reload()
    {
        var team = await app.CreateTeamAsync();
        var cut = await RenderAsync(team.TeamId, team.Bhc);
        Assert.Empty(cut.FindAll("[data-testid=card]"));

        var reply = await Boards.ExecuteAsync(team.Pcp, team.TeamId, new AddCard(team.Patients[2], "lane-1"));
        Assert.True(reply.Ok);

        cut.WaitForAssertion(() =>
        {
            Assert.Equal("Chloe Park", cut.Find("[data-lane-id=lane-1] [data-testid=card-name]").TextContent.Trim());
            Assert.Equal(reply.Value!.Version.ToString(System.Globalization.CultureInfo.InvariantCulture), cut.Find("[data-testid=board]").GetAttribute("data-version"));
        }, Timeout);
    }

    [Fact]
    public async Task Starting_the_huddle_from_the_board_shows_it_running_with_the_starter_present()
    {
        var team = await app.CreateTeamAsync();
        var cut = await RenderAsync(team.TeamId, team.Pcp);
        Assert.Contains("not started", cut.Find("[data-testid=huddle-state]").TextContent, StringComparison.Ordinal);

        await cut.InvokeAsync(() => cut.Find("[data-testid=start-huddle]").Click());

        cut.WaitForAssertion(() =>
        {
            Assert.Contains("Huddle running", cut.Find("[data-testid=huddle-state]").TextContent, StringComparison.Ordinal);
            var present = cut.FindAll("[data-testid=attendee][data-present=true]").Select(e => e.TextContent.Trim());
            Assert.Equal(["Dr. Pat Carter"], present);
        }, Timeout);
    }

    [Fact]
    public async Task The_shared_screen_shows_initials_and_room_and_no_notes_or_controls()
    {
        var team = await app.CreateTeamAsync();
        await Boards.ExecuteAsync(team.Pcp, team.TeamId, new AddCard(team.Patients[0], "lane-1", Note: "MDD, started sertraline"));

        var cut = await RenderAsync(team.TeamId, team.Pcp, sharedScreen: true);

        var card = cut.Find("[data-testid=card]");
        Assert.Equal("A.R.", card.QuerySelector("[data-testid=card-name]")!.TextContent.Trim());
        Assert.Contains("Exam 1", card.TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain("Alma", cut.Markup, StringComparison.Ordinal);
        Assert.DoesNotContain("sertraline", cut.Markup, StringComparison.Ordinal);
        Assert.Empty(cut.FindAll("[data-testid=card-menu]"));
        Assert.Empty(cut.FindAll("[data-testid=start-huddle]"));
        Assert.Empty(cut.FindAll("[data-testid=show-add-action-item], [data-testid=add-action-item], [data-testid=show-add-note]"));
    }

    [Fact]
    public async Task A_prerendered_board_shows_the_cards_but_no_controls_that_could_not_work_yet()
    {
        var team = await app.CreateTeamAsync();
        await Boards.ExecuteAsync(team.Pcp, team.TeamId, new AddCard(team.Patients[0], "lane-1"));
        _ctx.SetRendererInfo(new RendererInfo("Static", isInteractive: false));

        var cut = await RenderAsync(team.TeamId, team.Pcp);

        Assert.Equal("Alma Reyes", cut.Find("[data-testid=card-name]").TextContent.Trim());
        Assert.Empty(cut.FindAll("[data-testid=card-menu]"));
        Assert.Empty(cut.FindAll("[data-testid=start-huddle]"));
        Assert.Empty(cut.FindAll("[data-testid=show-add-action-item], [data-testid=add-action-item], [data-testid=show-add-note]"));
    }

    [Fact]
    public async Task The_room_display_identity_gets_no_controls_even_on_the_board_page()
    {
        var team = await app.CreateTeamAsync();
        await Boards.ExecuteAsync(team.Pcp, team.TeamId, new AddCard(team.Patients[0], "lane-1"));

        var cut = await RenderAsync(team.TeamId, team.Display);

        Assert.Equal("A.R.", cut.Find("[data-testid=card-name]").TextContent.Trim());
        Assert.Empty(cut.FindAll("[data-testid=card-menu]"));
        Assert.Empty(cut.FindAll("[data-testid=start-huddle]"));
    }

    [Theory]
    [InlineData("Chloe Park", "move-up", new[] { "Alma Reyes", "Chloe Park", "Boris Ng" }, 1)]
    [InlineData("Chloe Park", "move-top", new[] { "Chloe Park", "Alma Reyes", "Boris Ng" }, 0)]
    [InlineData("Alma Reyes", "move-down", new[] { "Boris Ng", "Alma Reyes", "Chloe Park" }, 1)]
    [InlineData("Alma Reyes", "move-bottom", new[] { "Boris Ng", "Chloe Park", "Alma Reyes" }, 2)]
    public async Task A_cards_menu_reorders_its_lane_keeps_focus_on_the_card_and_says_where_it_went(string patient, string item, string[] order, int index)
    {
        var team = await app.CreateTeamAsync();
        foreach (var id in team.Patients.Take(3))
        {
            Assert.True((await Boards.ExecuteAsync(team.Pcp, team.TeamId, new AddCard(id, "lane-1"))).Ok);
        }

        var focus = _ctx.JSInterop.SetupModule("./Boards/BoardView.razor.js");
        focus.SetupVoid("focusCardWhenAt", _ => true);
        var popovers = _ctx.Render<MudPopoverProvider>();
        var cut = await RenderAsync(team.TeamId, team.Pcp);
        Assert.Equal(["Alma Reyes", "Boris Ng", "Chloe Park"], NamesIn(cut, "lane-1"));
        var card = CardOf(cut, patient);
        var cardId = card.GetAttribute("data-card-id");

        await cut.InvokeAsync(() => card.QuerySelector("[data-testid=card-menu] button")!.Click());
        popovers.WaitForElement($"[data-testid={item}]", Timeout);
        await popovers.InvokeAsync(() => popovers.Find($"[data-testid={item}]").Click());

        cut.WaitForAssertion(() =>
        {
            Assert.Equal(order, NamesIn(cut, "lane-1"));
            Assert.Equal($"Moved {patient} to position {index + 1} of 3 in To discuss", cut.Find("[data-testid=board-announcer]").TextContent.Trim());
            // Focus is asked to follow the card to its new place.
            var focused = Assert.Single(focus.Invocations["focusCardWhenAt"]);
            Assert.Equal(["lane-1", cardId, index], focused.Arguments);
        }, Timeout);

        // The grain holds the new order too: a reload, or anyone else's board, shows it.
        var board = (await Boards.ReadSinceAsync(team.Pcp, team.TeamId, null)).Value!.Board!;
        Assert.Equal(order, board.FindLane("lane-1")!.CardIds.Select(id => board.FindCard(id)!.PatientName));
    }

    [Fact]
    public async Task A_cards_menu_offers_only_the_moves_within_its_lane_that_change_something()
    {
        var team = await app.CreateTeamAsync();
        foreach (var id in team.Patients.Take(3))
        {
            await Boards.ExecuteAsync(team.Pcp, team.TeamId, new AddCard(id, "lane-1"));
        }

        var popovers = _ctx.Render<MudPopoverProvider>();
        var cut = await RenderAsync(team.TeamId, team.Pcp);

        async Task<string[]> ReorderItemsOf(string patient)
        {
            await cut.InvokeAsync(() => CardOf(cut, patient).QuerySelector("[data-testid=card-menu] button")!.Click());
            popovers.WaitForElement("[data-testid=move-to]", Timeout);
            var items = popovers.FindAll("[data-testid^=move-]:not([data-testid=move-to])").Select(e => e.GetAttribute("data-testid")!).ToArray();
            // The menu button toggles: close this menu before opening the next card's.
            await cut.InvokeAsync(() => CardOf(cut, patient).QuerySelector("[data-testid=card-menu] button")!.Click());
            popovers.WaitForAssertion(() => Assert.Empty(popovers.FindAll("[data-testid=move-to]")), Timeout);
            return items;
        }

        Assert.Equal(["move-down", "move-bottom"], await ReorderItemsOf("Alma Reyes"));
        Assert.Equal(["move-up", "move-down"], await ReorderItemsOf("Boris Ng"));
        Assert.Equal(["move-up", "move-top"], await ReorderItemsOf("Chloe Park"));
    }

    private static string[] NamesIn(IRenderedComponent<BoardView> cut, string laneId) =>
        [.. cut.FindAll($"[data-testid=lane][data-lane-id={laneId}] [data-testid=card-name]").Select(e => e.TextContent.Trim())];

    private static AngleSharp.Dom.IElement CardOf(IRenderedComponent<BoardView> cut, string patient) =>
        cut.FindAll("[data-testid=card]").Single(c => c.QuerySelector("[data-testid=card-name]")!.TextContent.Trim() == patient);

    public async ValueTask DisposeAsync()
    {
        foreach (var board in _boards)
        {
            await board.DisposeAsync();
        }

        await _ctx.DisposeAsync();
    }
}
