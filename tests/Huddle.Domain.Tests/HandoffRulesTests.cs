using Huddle.Contracts.CareTeams;
using Huddle.Contracts.Common;
using Huddle.Contracts.Handoffs;
using Huddle.Grains.Handoffs;
using static Huddle.Domain.Tests.HandoffFixture;

namespace Huddle.Domain.Tests;

public sealed class HandoffRulesTests
{
    private readonly HandoffFixture _f = new();

    [Fact]
    public void A_request_is_requested_timestamped_with_its_requester_and_pings_its_named_target()
    {
        var (handoff, pinged) = _f.Start(Request(new HandoffTarget(UserId: Bhc2)));
        Assert.Equal(HandoffStatus.Requested, handoff.Status);
        Assert.Equal("requested", HandoffStatuses.FhirCode(handoff.Status));
        Assert.Equal([Bhc2], pinged);
        Assert.Equal((HandoffActions.Requested, Pcp, _f.Now), (handoff.History[0].Action, handoff.History[0].ActorId, handoff.History[0].At));
        Assert.Equal(HandoffActions.Pinged, handoff.History[1].Action);
        Assert.Equal([Bhc2], handoff.History[1].UserIds);
        Assert.Equal(_f.Now.AddMinutes(5), handoff.DeadlineAt);
        Assert.Equal("pinged", handoff.BusinessStatus);
    }

    [Theory]
    [InlineData("u-stranger", ErrorCodes.Forbidden)]
    [InlineData(Pcp, ErrorCodes.ValidationFailed)]
    public void A_request_by_an_outsider_or_with_a_bad_field_is_refused(string actor, string code)
    {
        var request = actor == Pcp ? Request() with { Reason = new Sbar(new string('x', HandoffLimits.SbarField + 1)) } : Request();
        Assert.Equal(code, HandoffRules.Request("h-1", actor, request, Team, _f.Now).Error?.Code);
    }

    [Fact]
    public void Request_fields_are_checked()
    {
        Result<Handoff> Try(RequestHandoff r) => HandoffRules.Request("h-1", Pcp, r, Team, _f.Now);
        Assert.Equal(ErrorCodes.ValidationFailed, Try(Request() with { Room = " " }).Error?.Code);
        Assert.Equal(ErrorCodes.ValidationFailed, Try(Request() with { Room = new string('r', HandoffLimits.Room + 1) }).Error?.Code);
        Assert.Equal(ErrorCodes.ValidationFailed, Try(Request() with { Reason = new Sbar("ok", "bad\u0007") }).Error?.Code);
        Assert.Equal(ErrorCodes.ValidationFailed, Try(Request() with { Reason = new Sbar("") }).Error?.Code);
        Assert.Equal(ErrorCodes.ValidationFailed, Try(Request() with { PatientId = "MRN 12" }).Error?.Code);
        Assert.Equal(ErrorCodes.ValidationFailed, Try(Request() with { Priority = (HandoffPriority)9 }).Error?.Code);
        Assert.Equal(ErrorCodes.ValidationFailed, Try(Request(new HandoffTarget(Bhc1, CareTeamRole.Bhc))).Error?.Code);
        Assert.Equal(ErrorCodes.ValidationFailed, Try(Request(new HandoffTarget())).Error?.Code);
        Assert.Equal(ErrorCodes.ValidationFailed, Try(Request(new HandoffTarget(UserId: Pcp))).Error?.Code);
        Assert.Equal(ErrorCodes.ValidationFailed, Try(Request(new HandoffTarget(Role: CareTeamRole.Pharmacist))).Error?.Code);
        Assert.Equal(ErrorCodes.NotFound, Try(Request(new HandoffTarget(UserId: "u-elsewhere"))).Error?.Code);
        Assert.Equal("Exam 3", Try(Request() with { Room = "  Exam 3 " }).Value!.Room);
    }

    [Fact]
    public void The_happy_path_accept_join_complete_records_every_step()
    {
        var (handoff, _) = _f.Start();
        _f.Time.Advance(TimeSpan.FromSeconds(40));
        var accepted = _f.Apply(handoff, Bhc1, new AcceptHandoff(3));
        Assert.Equal((HandoffStatus.Accepted, Bhc1, _f.Now.AddMinutes(3), "ETA 3 min", (DateTimeOffset?)null),
            (accepted.Status, accepted.AcceptedBy, accepted.Eta, accepted.BusinessStatus, accepted.DeadlineAt));
        _f.Time.Advance(TimeSpan.FromMinutes(3));
        var joined = _f.Apply(accepted, Bhc1, new JoinHandoff());
        Assert.Equal((HandoffStatus.InProgress, "in-progress"), (joined.Status, HandoffStatuses.FhirCode(joined.Status)));
        var completed = _f.Apply(joined, Bhc1, new CompleteHandoff());
        Assert.Equal(HandoffStatus.Completed, completed.Status);
        Assert.False(completed.IsOpen);
        Assert.Equal([HandoffActions.Requested, HandoffActions.Pinged, HandoffActions.Accepted, HandoffActions.Joined, HandoffActions.Completed],
            completed.History.Select(e => e.Action));
        Assert.Equal([Pcp, Escalation.System, Bhc1, Bhc1, Bhc1], completed.History.Select(e => e.ActorId));
        Assert.Equal(handoff.Version + 3, completed.Version);
    }

    [Fact]
    public void A_second_accept_is_told_who_has_it_and_changes_nothing()
    {
        _f.Policy = _f.Policy with { PingAllAtOnce = true };
        var (handoff, pinged) = _f.Start();
        Assert.Equal(3, pinged.Count);
        var accepted = _f.Apply(handoff, Bhc2, new AcceptHandoff(2));
        var second = HandoffRules.Apply(accepted, Bhc1, new AcceptHandoff(1), _f.Now);
        Assert.Equal(HandoffErrors.AlreadyAccepted, second.Error?.Code);
        Assert.Contains(Bhc2, second.Error!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_cancel_then_an_accept_ends_cancelled_and_an_accept_then_a_cancel_ends_cancelled_with_the_acceptor_recorded()
    {
        var (handoff, _) = _f.Start(Request(new HandoffTarget(UserId: Bhc1)));
        var cancelled = _f.Apply(handoff, Pcp, new CancelHandoff("Patient left"));
        var late = HandoffRules.Apply(cancelled, Bhc1, new AcceptHandoff(2), _f.Now);
        Assert.Equal(HandoffErrors.IllegalTransition, late.Error?.Code);
        Assert.Equal((HandoffStatus.Cancelled, (DateTimeOffset?)null), (cancelled.Status, cancelled.DeadlineAt));

        var accepted = _f.Apply(handoff, Bhc1, new AcceptHandoff(2));
        var withdrawn = _f.Apply(accepted, Pcp, new CancelHandoff());
        Assert.Equal((HandoffStatus.Cancelled, Bhc1), (withdrawn.Status, withdrawn.AcceptedBy));
    }

    [Theory]
    [MemberData(nameof(IllegalSteps))]
    public void An_illegal_transition_is_a_documented_error_and_changes_nothing(string stage, string actor, HandoffCommand command, string code)
    {
        var handoff = Stage(stage);
        var result = HandoffRules.Apply(handoff, actor, command, _f.Now);
        Assert.Equal(code, result.Error?.Code);
        Assert.Null(result.Value);
    }

    public static TheoryData<string, string, HandoffCommand, string> IllegalSteps() => new()
    {
        { "requested", Bhc1, new JoinHandoff(), HandoffErrors.IllegalTransition },
        { "requested", Bhc1, new CompleteHandoff(), HandoffErrors.IllegalTransition },
        { "requested", Bhc3, new AcceptHandoff(1), ErrorCodes.Forbidden },
        { "requested", Bhc1, new AcceptHandoff(HandoffLimits.MaxEtaMinutes + 1), ErrorCodes.ValidationFailed },
        { "requested", Bhc1, new DeclineHandoff(" "), ErrorCodes.ValidationFailed },
        { "requested", Bhc1, new CancelHandoff(), ErrorCodes.Forbidden },
        { "requested", Pcp, new ScheduleReferral(), HandoffErrors.IllegalTransition },
        { "requested", Pcp, new RequestHandoff("t", "p", "r", new HandoffTarget(), HandoffPriority.Stat, new Sbar("s")), HandoffErrors.IllegalTransition },
        { "accepted", Bhc1, new AcceptHandoff(1), HandoffErrors.IllegalTransition },
        { "accepted", Bhc1, new DeclineHandoff("no"), HandoffErrors.IllegalTransition },
        { "accepted", Pcp, new JoinHandoff(), ErrorCodes.Forbidden },
        { "accepted", Bhc1, new CompleteHandoff(), HandoffErrors.IllegalTransition },
        { "inProgress", Pcp, new CancelHandoff(), HandoffErrors.IllegalTransition },
        { "inProgress", Bhc1, new JoinHandoff(), HandoffErrors.IllegalTransition },
        { "completed", Bhc1, new CompleteHandoff(), HandoffErrors.IllegalTransition },
        { "completed", Pcp, new ScheduleReferral(), HandoffErrors.IllegalTransition },
        { "declinedByMe", Bhc1, new AcceptHandoff(1), ErrorCodes.InvalidState },
        { "failed", Bhc1, new AcceptHandoff(1), HandoffErrors.IllegalTransition },
        { "failed", Pcp, new AttendReferral(), HandoffErrors.IllegalTransition },
        { "failed", Bhc1, new ScheduleReferral(), ErrorCodes.Forbidden },
    };

    private Handoff Stage(string stage)
    {
        var (handoff, _) = _f.Start(Request(new HandoffTarget(UserId: Bhc1)));
        return stage switch
        {
            "requested" => handoff,
            "accepted" => _f.Apply(handoff, Bhc1, new AcceptHandoff(2)),
            "inProgress" => _f.Apply(_f.Apply(handoff, Bhc1, new AcceptHandoff(2)), Bhc1, new JoinHandoff()),
            "completed" => _f.Apply(_f.Apply(_f.Apply(handoff, Bhc1, new AcceptHandoff(2)), Bhc1, new JoinHandoff()), Bhc1, new CompleteHandoff()),
            "declinedByMe" => _f.Apply(handoff with { Notified = handoff.Notified.Add(Bhc2) }, Bhc1, new DeclineHandoff("with a patient")),
            "failed" => handoff with { Status = HandoffStatus.Failed, DeadlineAt = null },
            _ => throw new ArgumentOutOfRangeException(nameof(stage)),
        };
    }

    [Fact]
    public void A_failed_handoff_falls_back_to_a_referral_tracked_until_attended_or_closed()
    {
        var failed = Stage("failed");
        Assert.False(failed.IsOpen);
        var scheduled = _f.Apply(failed, Pcp, new ScheduleReferral(new DateOnly(2026, 12, 1)));
        Assert.Equal((ReferralStatus.Scheduled, "referral scheduled", true), (scheduled.Referral!.Status, scheduled.BusinessStatus, scheduled.IsOpen));
        Assert.Equal(HandoffErrors.IllegalTransition, HandoffRules.Apply(scheduled, Pcp, new ScheduleReferral(), _f.Now).Error?.Code);

        var attended = _f.Apply(scheduled, Pcp, new AttendReferral());
        Assert.Equal((ReferralStatus.Attended, false), (attended.Referral!.Status, attended.IsOpen));
        var closed = _f.Apply(scheduled, Pcp, new CloseReferral("no-show"));
        Assert.Equal((ReferralStatus.Closed, HandoffActions.ReferralClosed, "no-show"), (closed.Referral!.Status, closed.History[^1].Action, closed.History[^1].Detail));
        Assert.Equal(HandoffErrors.IllegalTransition, HandoffRules.Apply(closed, Pcp, new AttendReferral(), _f.Now).Error?.Code);
    }

    [Fact]
    public void Every_command_type_has_a_declared_name()
    {
        var declared = typeof(HandoffCommand).Assembly.GetTypes().Where(t => t.IsSubclassOf(typeof(HandoffCommand)) && !t.IsAbstract);
        Assert.Equal(declared.OrderBy(t => t.Name), HandoffOperations.Types.OrderBy(t => t.Name));
        Assert.Equal("scheduleReferral", new ScheduleReferral().Op);
    }
}
