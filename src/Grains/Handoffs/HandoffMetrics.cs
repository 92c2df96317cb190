using System.Collections.Immutable;
using Huddle.Contracts.Handoffs;

namespace Huddle.Grains.Handoffs;

/// <summary>
/// The numbers that show whether integration works (timing is the metric: a same-visit handoff turns
/// a weeks-long referral wait into minutes, docs/clinical.md), as plain
/// functions over handoffs and their recorded steps, so a test checks every definition without a
/// cluster. Definitions (docs/clinical.md):
/// <list type="bullet">
/// <item>Population: the handoffs requested on the days asked for, in the team's time zone.</item>
/// <item>Time to accept / to join: from the request to its first "accepted" / "joined" step, over
/// the handoffs that had one.</item>
/// <item>Completion rate: completed over those that ended for the consultants — completed, failed
/// (no response) or declined by everyone pinged. Cancelled by the requester does not count either
/// way (the patient left, the need went away); still-open ones neither.</item>
/// <item>Escalation rate: the share that went past their first targets (any "escalated" step).</item>
/// <item>Fallback-to-referral rate: the share for which a referral was scheduled.</item>
/// <item>Referral attendance: attended over referrals that ended (attended or closed).</item>
/// </list>
/// </summary>
public static class HandoffMetrics
{
    /// <summary>What the metrics keep of <paramref name="handoff"/>.</summary>
    public static HandoffOutcome OutcomeOf(Handoff handoff)
    {
        ArgumentNullException.ThrowIfNull(handoff);
        DateTimeOffset? First(string action) => handoff.History.FirstOrDefault(e => e.Action == action)?.At;
        return new HandoffOutcome(handoff.HandoffId, handoff.RequestedAt, First(HandoffActions.Accepted), First(HandoffActions.Joined),
            handoff.Status, handoff.History.Any(e => e.Action == HandoffActions.Escalated), handoff.Referral?.Status, handoff.Version);
    }

    /// <summary>The report for <paramref name="teamId"/> from <paramref name="from"/> to <paramref name="to"/>; <paramref name="dayOf"/> gives the team's day of an instant.</summary>
    public static HandoffMetricsReport Compute(string teamId, IEnumerable<HandoffOutcome> handoffs, DateOnly from, DateOnly to, Func<DateTimeOffset, DateOnly> dayOf)
    {
        ArgumentNullException.ThrowIfNull(handoffs);
        ArgumentNullException.ThrowIfNull(dayOf);
        var inRange = handoffs.Where(h => dayOf(h.RequestedAt) is var day && day >= from && day <= to).ToList();
        var ended = inRange.Where(h => h.Status is HandoffStatus.Completed or HandoffStatus.Failed or HandoffStatus.Declined).ToList();
        var referrals = inRange.Where(h => h.Referral is ReferralStatus.Attended or ReferralStatus.Closed).ToList();
        var days = ImmutableArray.CreateBuilder<HandoffDay>();
        for (var day = from; day <= to; day = day.AddDays(1))
        {
            var ofDay = inRange.Where(h => dayOf(h.RequestedAt) == day).ToList();
            days.Add(new HandoffDay(day, ofDay.Count, ofDay.Count(h => h.Status == HandoffStatus.Completed), ofDay.Count(Escalated),
                ofDay.Count(FellBack), Durations(ofDay, h => h.AcceptedAt).MedianSeconds));
        }

        return new HandoffMetricsReport(
            teamId, from, to,
            Requested: inRange.Count,
            StillOpen: inRange.Count(h => h.Status is HandoffStatus.Requested or HandoffStatus.Accepted or HandoffStatus.InProgress),
            TimeToAccept: Durations(inRange, h => h.AcceptedAt),
            TimeToJoin: Durations(inRange, h => h.JoinedAt),
            CompletionRate: Share(ended.Count(h => h.Status == HandoffStatus.Completed), ended.Count),
            EscalationRate: Share(inRange.Count(Escalated), inRange.Count),
            FallbackToReferralRate: Share(inRange.Count(FellBack), inRange.Count),
            ReferralAttendance: Share(referrals.Count(h => h.Referral == ReferralStatus.Attended), referrals.Count),
            Days: days.ToImmutable());
    }

    /// <summary>The median and 90th percentile (nearest rank) of the time from request to <paramref name="reached"/>, over the handoffs that reached it.</summary>
    public static DurationStats Durations(IEnumerable<HandoffOutcome> handoffs, Func<HandoffOutcome, DateTimeOffset?> reached)
    {
        ArgumentNullException.ThrowIfNull(handoffs);
        ArgumentNullException.ThrowIfNull(reached);
        var seconds = handoffs
            .Select(h => reached(h) is { } at ? Math.Max(0, (at - h.RequestedAt).TotalSeconds) : (double?)null)
            .OfType<double>()
            .Order()
            .ToArray();
        return seconds.Length == 0
            ? new DurationStats(0, null, null)
            : new DurationStats(seconds.Length, Median(seconds), NearestRank(seconds, 0.9));
    }

    private static bool Escalated(HandoffOutcome handoff) => handoff.Escalated;

    private static bool FellBack(HandoffOutcome handoff) => handoff.Referral is not null;

    private static double? Share(int part, int whole) => whole == 0 ? null : (double)part / whole;

    private static double Median(double[] sorted) =>
        sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;

    private static double NearestRank(double[] sorted, double q) => sorted[Math.Max(0, (int)Math.Ceiling(q * sorted.Length) - 1)];
}
