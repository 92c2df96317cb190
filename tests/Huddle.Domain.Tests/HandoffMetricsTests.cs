using Huddle.Contracts.Handoffs;
using Huddle.Grains.Handoffs;
using static Huddle.Domain.Tests.HandoffFixture;

namespace Huddle.Domain.Tests;

/// <summary>The metrics that prove integration works, each definition checked on handoffs made through the real rules.</summary>
public sealed class HandoffMetricsTests
{
    private readonly HandoffFixture _f = new();

    private static DateOnly DayOf(DateTimeOffset at) => DateOnly.FromDateTime(at.UtcDateTime);

    /// <summary>A handoff requested now and routed (BHC 1 pinged).</summary>
    private Handoff Requested(string id, HandoffPriority priority = HandoffPriority.Urgent)
    {
        var created = HandoffRules.Request(id, Pcp, Request(priority: priority), Team, _f.Now);
        Assert.True(created.Ok, created.Error?.Message);
        return _f.Advance(created.Value!).Handoff;
    }

    [Fact]
    public void Times_to_accept_and_join_are_median_and_p90_of_the_handoffs_that_got_there()
    {
        var handoffs = new List<Handoff>();
        // Three accepted after 60, 120 and 600 s; joined 4, 6 and 20 min after the request.
        foreach (var (id, accept, join) in new[] { ("h-a", 60, 240), ("h-b", 120, 360), ("h-c", 600, 1200) })
        {
            var start = _f.Now;
            var h = Requested(id);
            _f.Time.SetUtcNow(start.AddSeconds(accept));
            h = _f.Apply(h, Bhc1, new AcceptHandoff(3));
            _f.Time.SetUtcNow(start.AddSeconds(join));
            handoffs.Add(_f.Apply(h, Bhc1, new JoinHandoff()));
            _f.Time.SetUtcNow(start.AddSeconds(join + 1));
        }

        var report = HandoffMetrics.Compute(Team.TeamId, handoffs.Select(HandoffMetrics.OutcomeOf), DayOf(_f.Now), DayOf(_f.Now), DayOf);
        Assert.Equal(new DurationStats(3, 120, 600), report.TimeToAccept);
        Assert.Equal(new DurationStats(3, 360, 1200), report.TimeToJoin);
        Assert.Equal((3, 3), (report.Requested, report.StillOpen));
        Assert.Null(report.CompletionRate);
    }

    [Fact]
    public void Completion_escalation_fallback_and_attendance_count_what_clinicians_would_count()
    {
        var start = _f.Now;
        var completed = Requested("h-done");
        completed = _f.Apply(_f.Apply(_f.Apply(completed, Bhc1, new AcceptHandoff(2)), Bhc1, new JoinHandoff()), Bhc1, new CompleteHandoff());

        // Nobody answers: it climbs the ladder to "no response", then falls back to a referral that is attended.
        var unanswered = Requested("h-silent", HandoffPriority.Stat);
        for (var minutes = 1; minutes <= 4; minutes++)
        {
            _f.Time.SetUtcNow(start.AddMinutes(minutes));
            unanswered = _f.Advance(unanswered).Handoff;
        }

        Assert.Equal(HandoffStatus.Failed, unanswered.Status);
        unanswered = _f.Apply(_f.Apply(unanswered, Pcp, new ScheduleReferral(DayOf(_f.Now).AddDays(7))), Pcp, new AttendReferral());

        // Withdrawn by the requester: neither a completion nor a failure.
        var cancelled = _f.Apply(Requested("h-cancelled"), Pcp, new CancelHandoff("Patient left"));

        // Requested yesterday: outside today's figures, inside the week's.
        var yesterday = _f.Now.AddDays(-1);
        var old = HandoffRules.Request("h-old", Pcp, Request(), Team, yesterday).Value!;

        var today = HandoffMetrics.Compute(Team.TeamId, new[] { completed, unanswered, cancelled, old }.Select(HandoffMetrics.OutcomeOf), DayOf(_f.Now), DayOf(_f.Now), DayOf);
        Assert.Equal(3, today.Requested);
        Assert.Equal(0.5, today.CompletionRate);          // completed 1 of (completed + failed)
        Assert.Equal(1.0 / 3, today.EscalationRate!.Value, 6);
        Assert.Equal(1.0 / 3, today.FallbackToReferralRate!.Value, 6);
        Assert.Equal(1.0, today.ReferralAttendance);
        Assert.Equal(0, today.StillOpen);

        var week = HandoffMetrics.Compute(Team.TeamId, new[] { completed, unanswered, cancelled, old }.Select(HandoffMetrics.OutcomeOf), DayOf(_f.Now).AddDays(-6), DayOf(_f.Now), DayOf);
        Assert.Equal((4, 1), (week.Requested, week.StillOpen));
        Assert.Equal(7, week.Days.Length);
        Assert.Equal([1, 3], week.Days.Where(d => d.Requested > 0).Select(d => d.Requested));
        Assert.Equal(1, week.Days[^1].Completed);
    }

    [Fact]
    public void No_handoffs_give_empty_figures_not_zeros_that_look_like_failures()
    {
        var report = HandoffMetrics.Compute(Team.TeamId, [], DayOf(_f.Now).AddDays(-29), DayOf(_f.Now), DayOf);
        Assert.Equal(0, report.Requested);
        Assert.Equal(new DurationStats(0, null, null), report.TimeToAccept);
        Assert.Null(report.CompletionRate);
        Assert.Null(report.EscalationRate);
        Assert.Equal(30, report.Days.Length);
    }
}
