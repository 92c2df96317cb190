using System.Security.Claims;
using Bunit;
using Huddle.Contracts.Common;
using Huddle.Contracts.Presence;
using Huddle.Testing;
using Huddle.Web.Auth;
using Huddle.Web.Handoffs;
using Huddle.Web.Live;
using Huddle.Web.Presence;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;

namespace Huddle.Web.Tests.Handoffs;

/// <summary>
/// The patient page's handoff target picker on the real grains and relay: a named clinician's status
/// follows the team's live presence feed, the same one roster the "Who's free" strip shows, watched once.
/// </summary>
public sealed class PatientPageTests(HuddleAppFixture app) : IAsyncDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private readonly BunitContext _ctx = MudBunit.CreateContext();

    [Fact]
    public async Task The_pickers_clinicians_follow_the_live_presence_feed_the_strip_shows()
    {
        var team = await app.CreateTeamAsync();
        _ctx.Services.AddSingleton(app.App.Services.GetRequiredService<HandoffService>());
        _ctx.Services.AddSingleton(app.App.Services.GetRequiredService<TeamPresenceService>());
        _ctx.Services.AddScoped<CircuitInbox>();
        _ctx.AddAuthorization().SetAuthorized("Dr. Pat Carter").SetClaims(new Claim(HuddleClaims.UserId, team.Pcp));
        // The picker's entries render in the popover provider (as in the layout) once it is open.
        var popovers = _ctx.Render<MudPopoverProvider>();
        var page = _ctx.Render<PatientPage>(p => p.Add(x => x.TeamId, team.TeamId).Add(x => x.PatientId, team.Patients[0]));
        page.WaitForAssertion(() => Assert.NotNull(page.Find("[data-testid=team-presence]")), Timeout);
        await page.InvokeAsync(() => page.Find("div.mud-select .mud-input-control").MouseDown());

        string Strip() => page.Find($"[data-testid=member-presence][data-user-id={team.Bhc}]").GetAttribute("data-status")!;
        AngleSharp.Dom.IElement Entry() => popovers.Find($"[data-testid=target-member][data-user-id={team.Bhc}]");
        void Both(PresenceStatus status, string words) =>
            page.WaitForAssertion(() =>
            {
                Assert.Equal(status.ToString(), Strip());
                Assert.Equal(status.ToString(), Entry().GetAttribute("data-status"));
                Assert.Contains($"Bea Holt · Behavioral health consultant — {words}", Entry().TextContent, StringComparison.Ordinal);
            }, Timeout);
        Both(PresenceStatus.Offline, "offline");

        // The BHC comes online, then chooses do-not-disturb, after the page was opened.
        await using var bhc = await HubClient.ConnectAsync(app, team.Bhc);
        Both(PresenceStatus.Available, "available");
        Assert.True((await bhc.Hub.InvokeAsync<Result<PresenceView>>(nameof(HuddleHub.SetPresence), PresenceStatus.DoNotDisturb)).Ok);
        Both(PresenceStatus.DoNotDisturb, "do not disturb");

        // One watch of the team's presence feed for the page: the strip reads the page's roster, it opens none.
        var relay = app.App.Services.GetRequiredService<FeedRelay>();
        var watchers = relay.WatchersOf(TeamPresenceRoute.FeedOf(team.TeamId)).Where(w => w.UserId == team.Pcp).ToList();
        var only = Assert.Single(watchers);
        Assert.Null(only.ConnectionId);

        // Leaving the page closes it.
        await _ctx.DisposeComponentsAsync();
        Assert.DoesNotContain(relay.WatchersOf(TeamPresenceRoute.FeedOf(team.TeamId)), w => w.UserId == team.Pcp);
    }

    public ValueTask DisposeAsync() => _ctx.DisposeAsync();
}
