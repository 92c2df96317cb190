using Huddle.Contracts.CareTeams;
using Huddle.Contracts.Handoffs;
using Huddle.Contracts.Live;
using Huddle.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Huddle.Grains.Tests;

/// <summary>A team's handoff desk: a row of open handoffs, and outcomes in day pages the metrics read.</summary>
[Collection(ClusterCollection.Name)]
public sealed class TeamHandoffsGrainTests(ClusterFixture fixture)
{
    /// <summary>The most the desk's row may take after a month of 100 handoffs a day, all closed.</summary>
    private const int ClosedDeskRowBytes = 1024;

    /// <summary>The most it may take at any moment of that month, with up to 100 handoffs open at once.</summary>
    private const int BusyDeskRowBytes = 32 * 1024;

    private async Task<(ITeamHandoffsGrain Desk, string TeamId, string Pcp)> NewTeamAsync()
    {
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var (teamId, pcp) = ($"team-{suffix}", $"u-pcp-{suffix}");
        await fixture.Grains.GetGrain<ICareTeamGrain>(teamId).SetProfileAsync(new CareTeamProfile(teamId, "Team", CareTeamStatus.Active,
            [new TeamMember(pcp, "Dr. P", CareTeamRole.Pcp), new TeamMember($"u-bhc-{suffix}", "B. H.", CareTeamRole.Bhc)], [], "America/Chicago"));
        return (fixture.Grains.GetGrain<ITeamHandoffsGrain>(teamId), teamId, pcp);
    }

    private static (HandoffSummary Item, HandoffOutcome Outcome) Step(string teamId, string handoffId, DateTimeOffset requestedAt, HandoffStatus status, long version)
    {
        var accepted = status == HandoffStatus.Requested ? (DateTimeOffset?)null : requestedAt.AddSeconds(90);
        var item = new HandoffSummary(handoffId, teamId, "Exam 3", HandoffPriority.Urgent, status, null, "u-pcp", accepted is null ? null : "u-bhc",
            null, null, requestedAt, version, []);
        return (item, new HandoffOutcome(handoffId, requestedAt, accepted, accepted?.AddSeconds(60), status, false, null, version));
    }

    [Fact]
    public async Task A_month_of_a_busy_teams_handoffs_keeps_the_desk_row_small_and_every_day_in_the_metrics()
    {
        var (desk, teamId, pcp) = await NewTeamAsync();
        var deskId = desk.GetGrainId();
        // The handoffs go 200 minutes before now, each day back: on the team's own day only when now is well
        // inside it (the shared clock is wherever the tests before left it; DST shifts a past day an hour).
        var chicago = TimeZoneInfo.FindSystemTimeZoneById("America/Chicago");
        var timeOfDay = TimeZoneInfo.ConvertTime(fixture.Clock.GetUtcNow(), chicago).TimeOfDay;
        if (timeOfDay < TimeSpan.FromHours(5) || timeOfDay >= TimeSpan.FromHours(22))
        {
            fixture.Clock.Advance(TimeSpan.FromHours(timeOfDay < TimeSpan.FromHours(5) ? 5 : 29) - timeOfDay);
        }

        var now = fixture.Clock.GetUtcNow();
        var largest = 0;
        for (var day = 29; day >= 0; day--)
        {
            // 100 handoffs a day, all open at once, then each accepted and completed.
            var ids = Enumerable.Range(0, 100).Select(_ => $"h-{Guid.NewGuid():N}").ToList();
            var at = now.AddDays(-day).AddMinutes(-200);
            for (var i = 0; i < ids.Count; i++)
            {
                var (item, outcome) = Step(teamId, ids[i], at.AddMinutes(i), HandoffStatus.Requested, 1);
                await desk.TrackAsync(item, outcome);
            }

            largest = Math.Max(largest, MeasuredGrainStorage.LastWriteBytes[deskId]);
            for (var i = 0; i < ids.Count; i++)
            {
                foreach (var (status, version) in new[] { (HandoffStatus.Accepted, 2L), (HandoffStatus.Completed, 4L) })
                {
                    var (item, outcome) = Step(teamId, ids[i], at.AddMinutes(i), status, version);
                    await desk.TrackAsync(item, outcome);
                    // Told twice, as an outbox retry may: the second changes nothing.
                    await desk.TrackAsync(item, outcome);
                }
            }
        }

        var closed = MeasuredGrainStorage.LastWriteBytes[deskId];
        TestContext.Current.TestOutputHelper?.WriteLine($"Desk row after 30 days x 100 handoffs: {closed:N0} bytes at the end, {largest:N0} bytes with 100 open");
        Assert.InRange(closed, 1, ClosedDeskRowBytes);
        Assert.InRange(largest, 1, BusyDeskRowBytes);

        var month = (await desk.GetMetricsAsync(pcp, 30)).Value!;
        Assert.Equal((3000, 0, 1.0), (month.Requested, month.StillOpen, month.CompletionRate));
        Assert.All(month.Days, d => Assert.Equal(100, d.Requested));
        Assert.Equal(new DurationStats(3000, 90, 90), month.TimeToAccept);
    }

    [Fact]
    public async Task A_step_whose_row_write_failed_is_taken_when_retried_and_a_late_older_step_is_not()
    {
        var (desk, teamId, pcp) = await NewTeamAsync();
        var (item, outcome) = Step(teamId, $"h-{Guid.NewGuid():N}", fixture.Clock.GetUtcNow(), HandoffStatus.Requested, 1);

        // The outcome's page is written, then the desk's row write fails: the caller is told and retries.
        MeasuredGrainStorage.Hold(desk.GetGrainId(), () => throw new TimeoutException("storage did not answer"));
        try
        {
            await Assert.ThrowsAnyAsync<Exception>(() => desk.TrackAsync(item, outcome));
        }
        finally
        {
            MeasuredGrainStorage.Open(desk.GetGrainId());
        }

        await desk.TrackAsync(item, outcome);
        TeamHandoffsSnapshot Snapshot(FeedOpen open) => (TeamHandoffsSnapshot)open.Snapshot!;
        Assert.Equal(item.HandoffId, Assert.Single(Snapshot((await desk.OpenAsync(ITeamHandoffsGrain.Feed, pcp, null)).Value!).Items).HandoffId);

        // It closes; the open step told again late does not bring it back, nor count it open.
        var (closed, closedOutcome) = Step(teamId, item.HandoffId, item.RequestedAt, HandoffStatus.Completed, 4);
        await desk.TrackAsync(closed, closedOutcome);
        await desk.TrackAsync(item, outcome);
        Assert.Empty(Snapshot((await desk.OpenAsync(ITeamHandoffsGrain.Feed, pcp, null)).Value!).Items);
        Assert.Equal((1, 0), ((await desk.GetMetricsAsync(pcp, 1)).Value!.Requested, (await desk.GetMetricsAsync(pcp, 1)).Value!.StillOpen));
    }

    [Fact]
    public async Task A_past_dated_outcome_lands_on_its_own_day_and_a_repeat_changes_nothing()
    {
        var (desk, teamId, pcp) = await NewTeamAsync();
        var team = (await fixture.Grains.GetGrain<ICareTeamGrain>(teamId).GetProfileAsync())!;
        var requestedAt = fixture.Clock.GetUtcNow().AddDays(-10);
        var (item, outcome) = Step(teamId, $"h-{Guid.NewGuid():N}", requestedAt, HandoffStatus.Completed, 5);
        await desk.TrackAsync(item, outcome);
        var writes = MeasuredGrainStorage.Writes.GetValueOrDefault(desk.GetGrainId());
        await desk.TrackAsync(item, outcome);
        await desk.TrackAsync(item with { Status = HandoffStatus.Accepted, Version = 3 }, outcome with { Status = HandoffStatus.Accepted, Version = 3 });
        Assert.Equal(writes, MeasuredGrainStorage.Writes.GetValueOrDefault(desk.GetGrainId()));

        var month = (await desk.GetMetricsAsync(pcp, 30)).Value!;
        var day = Assert.Single(month.Days, d => d.Requested > 0);
        Assert.Equal((team.DayAt(requestedAt), 1, 1), (day.Day, day.Requested, day.Completed));
        Assert.Equal(0, (await desk.GetMetricsAsync(pcp, 7)).Value!.Requested);

        // Outcomes live in pages, not in the activation: a new one reads them back.
        await fixture.Cluster.Client.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
        Assert.Equal(1, (await desk.GetMetricsAsync(pcp, 30)).Value!.Requested);
    }

    [Fact]
    public async Task Outcome_pages_past_the_retention_are_deleted_after_the_first_write_and_then_daily_and_the_month_stays()
    {
        var (desk, teamId, pcp) = await NewTeamAsync();
        var team = (await fixture.Grains.GetGrain<ICareTeamGrain>(teamId).GetProfileAsync())!;
        var store = fixture.Cluster.GetSiloServiceProvider(fixture.Cluster.Silos[0].SiloAddress).GetRequiredService<Huddle.Grains.Common.IGrainHistoryStore>();
        var now = fixture.Clock.GetUtcNow();
        async Task<int[]> StoredDaysAsync()
        {
            var days = new List<int>();
            await foreach (var page in store.ReadPagesAsync<Huddle.Grains.Handoffs.HandoffOutcomePage>(desk.GetGrainId(), Huddle.Grains.Handoffs.TeamHandoffsGrain.OutcomesStream))
            {
                days.Add(team.DayAt(now).DayNumber - (int)page.Number);
            }

            return [.. days];
        }

        async Task TrackAsync(int daysAgo)
        {
            var (item, outcome) = Step(teamId, $"h-{Guid.NewGuid():N}", now.AddDays(-daysAgo), HandoffStatus.Completed, 5);
            await desk.TrackAsync(item, outcome);
        }

        // The first page this activation writes arms a check: a page from before the retention goes at once.
        await TrackAsync(100);
        await Eventually.Until(async () => (await StoredDaysAsync()).Length == 0, TimeSpan.FromSeconds(10), "the 100-day-old page's removal");

        // Later pages wait for the daily check (the reminder's tick).
        foreach (var daysAgo in new[] { 75, 40, 0 })
        {
            await TrackAsync(daysAgo);
        }

        // (Days back as the team's calendar counts them: 24-hour steps across a DST change can be a day more or less.)
        int Ago(int days) => team.DayAt(now).DayNumber - team.DayAt(now.AddDays(-days)).DayNumber;
        Assert.Equal(new[] { Ago(75), Ago(40), 0 }, await StoredDaysAsync());
        await desk.AsReference<IRemindable>().ReceiveReminder(Huddle.Grains.Handoffs.TeamHandoffsGrain.RetentionReminder, default);
        Assert.Equal(new[] { Ago(40), 0 }, await StoredDaysAsync());
        Assert.Equal(1, (await desk.GetMetricsAsync(pcp, 30)).Value!.Requested);

        // The reminder stands, so a team that stops working still loses its pages on time.
        var reminders = fixture.Cluster.GetSiloServiceProvider(fixture.Cluster.Silos[0].SiloAddress).GetRequiredService<IReminderTable>();
        Assert.Contains((await reminders.ReadRows(desk.GetGrainId())).Reminders, r => r.ReminderName == Huddle.Grains.Handoffs.TeamHandoffsGrain.RetentionReminder);
    }
}
