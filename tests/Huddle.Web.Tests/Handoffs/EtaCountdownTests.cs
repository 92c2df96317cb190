using Bunit;
using Huddle.Contracts.Handoffs;
using Huddle.Testing;
using Huddle.Web.Handoffs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Huddle.Web.Tests.Handoffs;

/// <summary>
/// An accepted handoff's ETA counts down on the requester's and the consultant's screens from the
/// screen's own clock (a fake one here, moved by the test), with a timer that runs only while a
/// countdown shows and dies with the component.
/// </summary>
public sealed class EtaCountdownTests(HuddleAppFixture app) : IAsyncDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private readonly BunitContext _ctx = MudBunit.CreateContext();
    private readonly List<LiveInbox> _inboxes = [];
    private readonly CountingTime _time = new(new FakeTimeProvider(DateTimeOffset.UtcNow));
    private bool _clockSet;

    private HandoffService Handoffs => app.App.Services.GetRequiredService<HandoffService>();

    [Theory]
    [InlineData(300, "arriving in 5 min")]
    [InlineData(299.5, "arriving in 5 min")]
    [InlineData(300.4, "arriving in 5 min")]
    [InlineData(241, "arriving in 5 min")]
    [InlineData(240, "arriving in 4 min")]
    [InlineData(30, "arriving in 1 min")]
    [InlineData(1, "arriving in 1 min")]
    [InlineData(0.5, "due now")]
    [InlineData(0, "due now")]
    [InlineData(-59, "due now")]
    [InlineData(-60, "overdue 1 min")]
    [InlineData(-150, "overdue 2 min")]
    public void The_countdown_says_whole_minutes_never_sooner_than_promised(double secondsLeft, string words)
    {
        var now = new DateTimeOffset(2026, 11, 24, 14, 0, 0, TimeSpan.Zero);
        Assert.Equal(words, HandoffWords.Countdown(now.AddSeconds(secondsLeft), now));
    }

    [Fact]
    public async Task The_requester_and_the_consultant_see_the_eta_count_down_without_server_traffic()
    {
        var team = await app.CreateTeamAsync();
        var requester = await RenderAsync(team.Pcp);
        var consultant = await RenderAsync(team.Bhc);
        var id = (await Handoffs.RequestAsync(team.Pcp, new RequestHandoff(team.TeamId, team.Patients[0], "Exam 1",
            new HandoffTarget(UserId: team.Bhc), HandoffPriority.Urgent, new Sbar("PHQ-9 of 18 today")))).Value!.HandoffId;
        consultant.WaitForAssertion(() => Assert.NotNull(consultant.Find($"[data-handoff-id={id}] [data-testid=accept]")), Timeout);
        Assert.Equal(0, _time.Active);

        var accepted = await Handoffs.ExecuteAsync(team.Bhc, id, new AcceptHandoff(2));
        var eta = accepted.Value!.Eta!.Value;
        string StatusOf(IRenderedComponent<InboxView> cut) => cut.Find($"[data-handoff-id={id}] [data-testid=handoff-status]").TextContent;
        requester.WaitForAssertion(() => Assert.Matches("^Accepted by Bea Holt, arriving in [23] min$", StatusOf(requester)), Timeout);
        consultant.WaitForAssertion(() => Assert.Matches("^Accepted by you, arriving in [23] min$", StatusOf(consultant)), Timeout);
        // The countdown's timer starts after the render that shows it (the markup can be seen a moment
        // before): moving the clock before it runs would move it past no timer.
        await TimersAsync(2);
        Assert.All(_time.Periods, p => Assert.InRange(p, TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(30)));

        // Only the screen's clock moves from here: no feed change, no call. Each stop is chosen so that
        // any tick of the last 15 s reads the same words.
        foreach (var (at, words) in new[] { (-100, "arriving in 2 min"), (-40, "arriving in 1 min"), (20, "due now"), (80, "overdue 1 min"), (200, "overdue 3 min") })
        {
            _time.Fake.SetUtcNow(eta.AddSeconds(at));
            requester.WaitForAssertion(() => Assert.Equal($"Accepted by Bea Holt, {words}", StatusOf(requester)), Timeout);
            consultant.WaitForAssertion(() => Assert.Equal($"Accepted by you, {words}", StatusOf(consultant)), Timeout);
        }

        // In the room: no countdown any more, and no timer either.
        Assert.True((await Handoffs.ExecuteAsync(team.Bhc, id, new JoinHandoff())).Ok);
        requester.WaitForAssertion(() => Assert.Equal("In the room: Bea Holt", StatusOf(requester)), Timeout);
        consultant.WaitForAssertion(() => Assert.Equal("In the room: you", StatusOf(consultant)), Timeout);
        await TimersAsync(0);
    }

    [Fact]
    public async Task The_countdowns_timer_is_disposed_with_the_component()
    {
        var team = await app.CreateTeamAsync();
        var id = (await Handoffs.RequestAsync(team.Pcp, new RequestHandoff(team.TeamId, team.Patients[0], "Exam 1",
            new HandoffTarget(UserId: team.Bhc), HandoffPriority.Urgent, new Sbar("PHQ-9 of 18 today")))).Value!.HandoffId;
        Assert.True((await Handoffs.ExecuteAsync(team.Bhc, id, new AcceptHandoff(5))).Ok);
        var requester = await RenderAsync(team.Pcp);
        requester.WaitForAssertion(() => Assert.Contains("arriving in", requester.Find($"[data-handoff-id={id}]").TextContent, StringComparison.Ordinal), Timeout);
        await TimersAsync(1);

        await _ctx.DisposeComponentsAsync();

        Assert.Equal(0, _time.Active);
    }

    /// <summary>Waits until <paramref name="count"/> countdown timers are alive (they start and stop after a render).</summary>
    private Task TimersAsync(int count) =>
        Eventually.Until(() => Task.FromResult(_time.Active == count), Timeout, $"{count} countdown timer(s) alive");

    private async Task<IRenderedComponent<InboxView>> RenderAsync(string userId)
    {
        if (!_clockSet)
        {
            // The screen's clock: registered after MudBunit's system one, so components get this one.
            _ctx.Services.AddSingleton<TimeProvider>(_time);
            _clockSet = true;
        }

        return await _ctx.RenderInboxAsync(Handoffs, userId, _inboxes);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var inbox in _inboxes)
        {
            await inbox.DisposeAsync();
        }

        await _ctx.DisposeAsync();
    }
}
