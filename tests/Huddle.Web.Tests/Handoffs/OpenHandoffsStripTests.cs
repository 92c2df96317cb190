using System.Net.Http.Json;
using System.Security.Claims;
using Bunit;
using Huddle.Contracts.CareTeams;
using Huddle.Contracts.Handoffs;
using Huddle.Testing;
using Huddle.Web.Auth;
using Huddle.Web.Handoffs;
using Huddle.Web.Http;
using Huddle.Web.Presence;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Huddle.Web.Tests.Handoffs;

/// <summary>The board's strip of open handoffs, on the real grains and relay: a request shows, an accept updates it, no patient data.</summary>
public sealed class OpenHandoffsStripTests(HuddleAppFixture app) : IAsyncDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private readonly BunitContext _ctx = MudBunit.CreateContext();

    [Fact]
    public async Task A_new_request_shows_on_the_strip_and_its_accept_follows_live()
    {
        var team = await app.CreateTeamAsync();
        var handoffs = app.App.Services.GetRequiredService<HandoffService>();
        _ctx.Services.AddSingleton(handoffs);
        _ctx.AddAuthorization().SetAuthorized("Dr. Pat Carter").SetClaims(new Claim(HuddleClaims.UserId, team.Pcp));
        var cut = _ctx.Render<OpenHandoffsStrip>(p => p.Add(x => x.TeamId, team.TeamId));

        var requested = await handoffs.RequestAsync(team.Pcp, new RequestHandoff(team.TeamId, team.Patients[0], "Exam 1",
            new HandoffTarget(UserId: team.Bhc), HandoffPriority.Stat, new Sbar("Panic attack in the room")));
        var id = requested.Value!.HandoffId;
        cut.WaitForAssertion(() => Assert.Contains("STAT", cut.Find($"[data-handoff-id={id}]").TextContent, StringComparison.Ordinal), Timeout);

        Assert.True((await handoffs.ExecuteAsync(team.Bhc, id, new AcceptHandoff(2))).Ok);

        cut.WaitForAssertion(() =>
        {
            var item = cut.Find($"[data-handoff-id={id}]");
            Assert.Contains("Accepted by Bea Holt", item.TextContent, StringComparison.Ordinal);
            Assert.DoesNotContain("Alma", cut.Markup, StringComparison.Ordinal);
            Assert.DoesNotContain("Panic", cut.Markup, StringComparison.Ordinal);
        }, Timeout);
    }

    [Fact]
    public async Task An_accepted_handoffs_eta_counts_down_on_the_board_from_the_screens_clock()
    {
        var team = await app.CreateTeamAsync();
        var clock = new CountingTime(new FakeTimeProvider(DateTimeOffset.UtcNow));
        var handoffs = app.App.Services.GetRequiredService<HandoffService>();
        _ctx.Services.AddSingleton(handoffs);
        _ctx.Services.AddSingleton<TimeProvider>(clock);
        _ctx.AddAuthorization().SetAuthorized("Dr. Pat Carter").SetClaims(new Claim(HuddleClaims.UserId, team.Pcp));
        var cut = _ctx.Render<OpenHandoffsStrip>(p => p.Add(x => x.TeamId, team.TeamId));
        var id = (await handoffs.RequestAsync(team.Pcp, new RequestHandoff(team.TeamId, team.Patients[0], "Exam 1",
            new HandoffTarget(UserId: team.Bhc), HandoffPriority.Urgent, new Sbar("PHQ-9 of 18 today")))).Value!.HandoffId;
        var eta = (await handoffs.ExecuteAsync(team.Bhc, id, new AcceptHandoff(2))).Value!.Eta!.Value;
        cut.WaitForAssertion(() => Assert.Contains("Accepted by Bea Holt, arriving in", cut.Find($"[data-handoff-id={id}]").TextContent, StringComparison.Ordinal), Timeout);
        // The countdown's timer starts after the render that shows it, and the markup can be seen a
        // moment before: a clock moved before the timer exists moves past no timer, and the words
        // stay as they were (the race behind this test's failures).
        await Eventually.Until(() => Task.FromResult(clock.Active == 1), Timeout, "the countdown's timer");

        // Only the screen's clock moves: the words follow it.
        clock.Fake.SetUtcNow(eta.AddSeconds(-40));
        cut.WaitForAssertion(() => Assert.Contains("Accepted by Bea Holt, arriving in 1 min", cut.Find($"[data-handoff-id={id}]").TextContent, StringComparison.Ordinal), Timeout);
        clock.Fake.SetUtcNow(eta.AddSeconds(80));
        cut.WaitForAssertion(() => Assert.Contains("Accepted by Bea Holt, overdue 1 min", cut.Find($"[data-handoff-id={id}]").TextContent, StringComparison.Ordinal), Timeout);
    }

    [Fact]
    public async Task The_wall_shows_a_declined_handoff_still_waiting_and_never_who_declined_it()
    {
        // Two BHCs pinged at once, so the handoff stays open (and on the wall) after one declines.
        var (teamId, pcp, bhc, other, display, patientId) = await app.CreateTwoBhcTeamAsync("wd");

        var presence = app.App.Services.GetRequiredService<PresenceService>();
        await presence.ConnectionAsync(bhc, "wall-test-1", open: true);
        await presence.ConnectionAsync(other, "wall-test-2", open: true);
        var handoffs = app.App.Services.GetRequiredService<HandoffService>();
        _ctx.Services.AddSingleton(handoffs);
        _ctx.AddAuthorization().SetAuthorized("Team room").SetClaims(new Claim(HuddleClaims.UserId, display));
        var cut = _ctx.Render<OpenHandoffsStrip>(p => p.Add(x => x.TeamId, teamId).Add(x => x.WallView, true));

        var id = (await handoffs.RequestAsync(pcp, new RequestHandoff(teamId, patientId, "Exam 3", new HandoffTarget(Role: CareTeamRole.Bhc),
            HandoffPriority.Urgent, new Sbar("PHQ-9 of 18 today")))).Value!.HandoffId;
        cut.WaitForAssertion(() => Assert.NotNull(cut.Find($"[data-handoff-id={id}]")), Timeout);
        var declined = await handoffs.ExecuteAsync(bhc, id, new DeclineHandoff("With a patient"));
        Assert.True(declined.Ok, declined.Error?.Message);

        // The decline reaches the wall's feed (its seq moves past the decline's summary) ...
        var version = declined.Value!.Version;
        cut.WaitForAssertion(() => Assert.Equal(version.ToString(System.Globalization.CultureInfo.InvariantCulture),
            cut.Find($"[data-handoff-id={id}]").GetAttribute("data-version")), Timeout);
        // ... and the wall still says only room, priority and where it stands.
        var item = cut.Find($"[data-handoff-id={id}]");
        Assert.Equal("requested", item.GetAttribute("data-status"));
        Assert.DoesNotContain("Sam Okafor", cut.Markup, StringComparison.Ordinal);
        Assert.DoesNotContain(bhc, cut.Markup, StringComparison.Ordinal);
        Assert.DoesNotContain("declin", cut.Markup, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("Alma", cut.Markup, StringComparison.Ordinal);
        // Not only the words: what the displays' feed carries never says who declined (changes and snapshot).
        var forWall = (await handoffs.ReadTeamAsync(display, teamId, null)).Value!;
        Assert.Empty(forWall.Snapshot!.Items.Single(i => i.HandoffId == id).Declined);
        Assert.Empty((await handoffs.ReadTeamAsync(display, teamId, forWall.Seq - 1)).Value!.Changes.Single().Item!.Declined);
        Assert.Equal([bhc], (await handoffs.ReadTeamAsync(pcp, teamId, null)).Value!.Snapshot!.Items.Single(i => i.HandoffId == id).Declined);
        // Nor which patient it is for: members get the patient's id (the EHR widget picks its patient's), the wall never.
        Assert.Null(forWall.Snapshot!.Items.Single(i => i.HandoffId == id).PatientId);
        Assert.Null((await handoffs.ReadTeamAsync(display, teamId, forWall.Seq - 1)).Value!.Changes.Single().Item!.PatientId);
        Assert.Equal(patientId, (await handoffs.ReadTeamAsync(pcp, teamId, null)).Value!.Snapshot!.Items.Single(i => i.HandoffId == id).PatientId);
        // Nor who was pinged (with the declines taken out, "waiting for" would name who said no); members have both.
        Assert.Empty(forWall.Snapshot!.Items.Single(i => i.HandoffId == id).Notified);
        Assert.Empty((await handoffs.ReadTeamAsync(display, teamId, forWall.Seq - 1)).Value!.Changes.Single().Item!.Notified);
        Assert.Contains(bhc, (await handoffs.ReadTeamAsync(pcp, teamId, null)).Value!.Snapshot!.Items.Single(i => i.HandoffId == id).Notified);
        // The room screen was pinged for nothing: the handoff is waiting, not "for you".
        Assert.Matches(@"waiting (<1|\d+) min", item.TextContent);
        Assert.DoesNotContain("for you", cut.Markup, StringComparison.Ordinal);
        await presence.ConnectionAsync(bhc, "wall-test-1", open: false);
        await presence.ConnectionAsync(other, "wall-test-2", open: false);
    }

    public ValueTask DisposeAsync() => _ctx.DisposeAsync();
}
