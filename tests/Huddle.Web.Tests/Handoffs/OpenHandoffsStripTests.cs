using System.Security.Claims;
using Bunit;
using Huddle.Contracts.CareTeams;
using Huddle.Contracts.Handoffs;
using Huddle.Testing;
using Huddle.Web.Auth;
using Huddle.Web.Handoffs;
using Microsoft.Extensions.DependencyInjection;

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

    public ValueTask DisposeAsync() => _ctx.DisposeAsync();
}
