using System.Security.Claims;
using Bunit;
using Huddle.Contracts.CareTeams;
using Huddle.Contracts.Presence;
using Huddle.Testing;
using Huddle.Web.Auth;
using Huddle.Web.Live;
using Huddle.Web.Presence;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Huddle.Web.Tests.Presence;

/// <summary>"Who's free" on the board, on the real grains and relay: a colleague coming online and choosing do-not-disturb shows live.</summary>
public sealed class TeamPresenceStripTests(HuddleAppFixture app) : IAsyncDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private readonly BunitContext _ctx = MudBunit.CreateContext();

    /// <summary>A new team's strip as its PCP sees it, on the board or (<paramref name="wall"/>) the room display.</summary>
    private async Task<(TestTeam Team, IRenderedComponent<TeamPresenceStrip> Cut)> RenderAsync(bool wall)
    {
        var team = await app.CreateTeamAsync();
        _ctx.Services.AddSingleton(app.App.Services.GetRequiredService<TeamPresenceService>());
        _ctx.AddAuthorization().SetAuthorized("Dr. Pat Carter").SetClaims(new Claim(HuddleClaims.UserId, team.Pcp));
        var profile = await app.App.Services.GetRequiredService<IGrainFactory>().GetGrain<ICareTeamGrain>(team.TeamId).GetProfileAsync();
        return (team, _ctx.Render<TeamPresenceStrip>(p => p.Add(x => x.Team, profile).Add(x => x.WallView, wall)));
    }

    [Fact]
    public async Task A_colleague_coming_online_and_choosing_do_not_disturb_shows_live()
    {
        var (team, cut) = await RenderAsync(wall: false);
        string StatusOf(string userId) => cut.Find($"[data-testid=member-presence][data-user-id={userId}]").GetAttribute("data-status")!;
        cut.WaitForAssertion(() => Assert.Equal(nameof(PresenceStatus.Offline), StatusOf(team.Bhc)), Timeout);

        await using var bhc = await HubClient.ConnectAsync(app, team.Bhc);
        cut.WaitForAssertion(() => Assert.Equal(nameof(PresenceStatus.Available), StatusOf(team.Bhc)), Timeout);
        await bhc.Hub.InvokeAsync<Contracts.Common.Result<PresenceView>>(nameof(HuddleHub.SetPresence), PresenceStatus.DoNotDisturb);
        cut.WaitForAssertion(() =>
        {
            Assert.Equal(nameof(PresenceStatus.DoNotDisturb), StatusOf(team.Bhc));
            Assert.Contains("Bea Holt · do not disturb", cut.Markup, StringComparison.Ordinal);
        }, Timeout);
    }

    [Fact]
    public async Task On_the_wall_the_free_come_first_and_the_offline_are_one_count_whatever_the_teams_size()
    {
        var (team, cut) = await RenderAsync(wall: true);
        List<(string, string)> Named() => [.. cut.FindAll("[data-testid=member-presence]").Select(e => (e.GetAttribute("data-user-id")!, e.GetAttribute("data-status")!))];
        string? Offline() => cut.FindAll("[data-testid=presence-offline]").SingleOrDefault()?.TextContent.Trim();
        cut.WaitForAssertion(() =>
        {
            Assert.Empty(Named());
            Assert.Equal("2 offline", Offline());
        }, Timeout);

        await using var bhc = await HubClient.ConnectAsync(app, team.Bhc);
        cut.WaitForAssertion(() =>
        {
            Assert.Equal([(team.Bhc, "Available")], Named());
            Assert.Equal("1 offline", Offline());
        }, Timeout);

        // The PCP comes online on do-not-disturb: named after the free BHC, though first in the team's order.
        await using var pcp = await HubClient.ConnectAsync(app, team.Pcp);
        Assert.True((await pcp.Hub.InvokeAsync<Contracts.Common.Result<PresenceView>>(nameof(HuddleHub.SetPresence), PresenceStatus.DoNotDisturb)).Ok);
        cut.WaitForAssertion(() =>
        {
            Assert.Equal([(team.Bhc, "Available"), (team.Pcp, "DoNotDisturb")], Named());
            Assert.Null(Offline());
        }, Timeout);
    }

    public async ValueTask DisposeAsync() => await _ctx.DisposeAsync();
}
