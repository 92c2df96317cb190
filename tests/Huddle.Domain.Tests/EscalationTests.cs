using Huddle.Contracts.CareTeams;
using Huddle.Contracts.Handoffs;
using Huddle.Contracts.Presence;
using Huddle.Grains.Handoffs;
using static Huddle.Domain.Tests.HandoffFixture;

namespace Huddle.Domain.Tests;

public sealed class EscalationTests
{
    private readonly HandoffFixture _f = new();
    private static readonly DateTimeOffset Morning = new(2026, 11, 24, 9, 0, 0, TimeSpan.Zero);

    public EscalationTests()
    {
        _f.Presence[Bhc1] = (PresenceStatus.Available, Morning);
        _f.Presence[Bhc2] = (PresenceStatus.DoNotDisturb, Morning.AddHours(2));
        _f.Presence[Bhc3] = (PresenceStatus.Available, Morning.AddHours(1));
    }

    [Fact]
    public void A_role_handoff_pings_the_most_recently_idle_available_member_and_never_one_on_do_not_disturb()
    {
        var (_, pinged) = _f.Start();
        Assert.Equal([Bhc3], pinged);
    }

    [Fact]
    public void Ping_all_at_once_reaches_every_reachable_member_available_first_then_busy()
    {
        _f.Policy = _f.Policy with { PingAllAtOnce = true };
        _f.Presence[Bhc1] = (PresenceStatus.Busy, Morning.AddHours(3));
        var (_, pinged) = _f.Start();
        Assert.Equal([Bhc3, Bhc1], pinged);

        _f.Presence[Bhc1] = (PresenceStatus.InSession, Morning);
        _f.Presence[Bhc3] = (PresenceStatus.Offline, Morning);
        var (nobody, none) = _f.Start();
        Assert.Empty(none);
        Assert.Equal(HandoffActions.Skipped, nobody.History[1].Action);
    }

    [Fact]
    public void Nothing_happens_before_the_target_time()
    {
        var (handoff, _) = _f.Start();
        _f.Time.Advance(TimeSpan.FromMinutes(5) - TimeSpan.FromMilliseconds(1));
        var (same, pinged) = _f.Advance(handoff);
        Assert.Same(handoff, same);
        Assert.Empty(pinged);
    }

    [Fact]
    public void An_unanswered_urgent_handoff_climbs_backup_1_then_the_whole_role_then_fails_with_no_response()
    {
        _f.Policy = _f.Policy with { Backup1 = Nurse };
        var (handoff, _) = _f.Start();

        _f.Time.Advance(TimeSpan.FromMinutes(5));
        (handoff, var pinged) = _f.Advance(handoff);
        Assert.Equal([Nurse], pinged);
        Assert.Equal(("escalated to backup 1", EscalationSteps.Backup1, _f.Now.AddMinutes(5)), (handoff.BusinessStatus, handoff.Step, handoff.DeadlineAt));

        _f.Time.Advance(TimeSpan.FromMinutes(5));
        (handoff, pinged) = _f.Advance(handoff);
        Assert.Equal([Bhc1], pinged); // the whole role, less who was pinged already and who is on do-not-disturb
        Assert.Equal("escalated to the whole role", handoff.BusinessStatus);

        _f.Time.Advance(TimeSpan.FromMinutes(5));
        (handoff, pinged) = _f.Advance(handoff);
        Assert.Empty(pinged);
        Assert.Equal((HandoffStatus.Failed, "no response", (DateTimeOffset?)null, "failed"),
            (handoff.Status, handoff.BusinessStatus, handoff.DeadlineAt, HandoffStatuses.FhirCode(handoff.Status)));
        Assert.Equal([HandoffActions.Requested, HandoffActions.Pinged, HandoffActions.Escalated, HandoffActions.Escalated, HandoffActions.NoResponse],
            handoff.History.Select(e => e.Action));
        Assert.Equal([Pcp], handoff.History[^1].UserIds);
        // The request is the PCP's; every later step is the system's.
        Assert.Equal([Pcp, Escalation.System, Escalation.System, Escalation.System, Escalation.System], handoff.History.Select(e => e.ActorId));
    }

    [Fact]
    public void An_unreachable_backup_is_skipped_at_once_and_backup_2_replaces_the_whole_role()
    {
        _f.Policy = _f.Policy with { Backup1 = Bhc2, Backup2 = Nurse };
        var (handoff, _) = _f.Start();
        _f.Time.Advance(TimeSpan.FromMinutes(5));
        (handoff, var pinged) = _f.Advance(handoff);
        Assert.Equal([Nurse], pinged);
        Assert.Equal(("escalated to backup 2", EscalationSteps.Backup2OrRole), (handoff.BusinessStatus, handoff.Step));
        Assert.Equal((HandoffActions.Skipped, "backup 1"), (handoff.History[^2].Action, handoff.History[^2].Detail));
    }

    [Theory]
    [InlineData(HandoffPriority.Stat, 1)]
    [InlineData(HandoffPriority.Asap, 2)]
    [InlineData(HandoffPriority.Urgent, 5)]
    [InlineData(HandoffPriority.Routine, 15)]
    public void The_default_target_times_follow_the_priority(HandoffPriority priority, int minutes)
    {
        var (handoff, _) = _f.Start(Request(priority: priority));
        Assert.Equal(_f.Now.AddMinutes(minutes), handoff.DeadlineAt);
    }

    [Fact]
    public void When_everyone_pinged_declines_the_next_step_is_taken_at_once_and_at_the_end_it_is_declined()
    {
        var (handoff, _) = _f.Start(Request(new HandoffTarget(UserId: Bhc3)));
        handoff = _f.Apply(handoff, Bhc3, new DeclineHandoff("In a crisis session"));
        Assert.Equal(_f.Now, handoff.DeadlineAt);
        (handoff, var pinged) = _f.Advance(handoff);
        Assert.Equal([Bhc1], pinged); // no backup 1: skipped; the whole role of the named target
        handoff = _f.Apply(handoff, Bhc1, new DeclineHandoff("Leaving"));
        (handoff, pinged) = _f.Advance(handoff);
        Assert.Empty(pinged);
        Assert.Equal((HandoffStatus.Declined, "rejected"), (handoff.Status, HandoffStatuses.FhirCode(handoff.Status)));
        Assert.Equal(HandoffActions.AllDeclined, handoff.History[^1].Action);

        var referral = _f.Apply(handoff, Pcp, new ScheduleReferral());
        Assert.True(referral.IsOpen);
    }

    [Fact]
    public void An_overdue_handoff_takes_its_step_as_soon_as_it_is_looked_at()
    {
        var (handoff, _) = _f.Start();
        _f.Time.Advance(TimeSpan.FromMinutes(42));
        (handoff, var pinged) = _f.Advance(handoff);
        Assert.Equal([Bhc1], pinged);
        Assert.Equal(_f.Now.AddMinutes(5), handoff.DeadlineAt);
    }

    [Fact]
    public void Accepting_stops_the_escalation()
    {
        var (handoff, _) = _f.Start();
        handoff = _f.Apply(handoff, Bhc3, new AcceptHandoff(4));
        _f.Time.Advance(TimeSpan.FromHours(1));
        var (after, pinged) = _f.Advance(handoff);
        Assert.Same(handoff, after);
        Assert.Empty(pinged);
    }

    [Fact]
    public void Routing_orders_available_before_busy_most_recently_idle_first()
    {
        RosterEntry[] roster =
        [
            new("a", CareTeamRole.Bhc, PresenceStatus.Available, Morning),
            new("b", CareTeamRole.Bhc, PresenceStatus.Busy, Morning.AddHours(5)),
            new("c", CareTeamRole.Bhc, PresenceStatus.Available, Morning.AddHours(1)),
            new("d", CareTeamRole.Bhc, PresenceStatus.InSession, Morning.AddHours(2)),
            new("e", CareTeamRole.Nurse, PresenceStatus.Available, Morning.AddHours(3)),
        ];
        Assert.Equal(["c", "a", "b"], Routing.Candidates(roster, CareTeamRole.Bhc));
    }

    [Fact]
    public void An_offline_member_with_a_push_device_is_reached_only_via_push_and_after_busy_ones()
    {
        RosterEntry[] roster =
        [
            new("a", CareTeamRole.Bhc, PresenceStatus.Offline, Morning.AddHours(6), PushDevice: true),
            new("b", CareTeamRole.Bhc, PresenceStatus.Busy, Morning.AddHours(5)),
            new("c", CareTeamRole.Bhc, PresenceStatus.Offline, Morning.AddHours(7)),
            new("d", CareTeamRole.Bhc, PresenceStatus.DoNotDisturb, Morning.AddHours(2), PushDevice: true),
        ];
        Assert.Equal(["b"], Routing.Candidates(roster, CareTeamRole.Bhc));
        Assert.Equal(["b", "a"], Routing.Candidates(roster, CareTeamRole.Bhc, viaPush: true));
        Assert.False(Routing.Reachable(roster, "a"));
        Assert.True(Routing.Reachable(roster, "a", viaPush: true));
        Assert.False(Routing.Reachable(roster, "d", viaPush: true));
    }

    [Theory]
    [InlineData(HandoffPriority.Stat, true, true)]
    [InlineData(HandoffPriority.Asap, true, true)]
    [InlineData(HandoffPriority.Urgent, true, false)]
    [InlineData(HandoffPriority.Stat, false, false)]
    public void A_policy_lets_stat_and_asap_handoffs_reach_an_offline_member_with_a_push_device(HandoffPriority priority, bool policyOn, bool reached)
    {
        foreach (var bhc in new[] { Bhc1, Bhc2, Bhc3 })
        {
            _f.Presence[bhc] = (PresenceStatus.Offline, Morning);
        }

        _f.PushDevices.Add(Bhc1);
        _f.Policy = _f.Policy with { PushReachesOffline = policyOn };
        var (_, pinged) = _f.Start(Request(priority: priority));
        Assert.Equal(reached ? [Bhc1] : [], pinged);
    }
}
