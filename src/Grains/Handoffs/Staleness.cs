using Huddle.Contracts.Handoffs;

namespace Huddle.Grains.Handoffs;

/// <summary>
/// The stale policy, plain C# (<see cref="HandoffOptions"/>): what was taken on but never finished ends
/// on its own instead of staying open on the board, the wall and the inboxes for good. An accepted (or
/// joined) handoff not completed within <see cref="HandoffOptions.AcceptedStaleAfter"/> of its accept
/// fails as "closed as stale" (the requester may still schedule a referral); a referral still scheduled
/// <see cref="HandoffOptions.ReferralStaleAfter"/> after its date (or after it was scheduled, without a
/// date) is closed as "referral closed as stale". Each is a recorded step by <c>system</c>.
/// </summary>
public static class Staleness
{
    /// <summary>The business status of a handoff closed as stale.</summary>
    public const string Closed = "closed as stale";

    /// <summary>The business status of a referral closed as stale.</summary>
    public const string ReferralClosed = "referral closed as stale";

    /// <summary><paramref name="handoff"/> with <see cref="Handoff.StaleAt"/> set for where it stands (the same instance when unchanged).</summary>
    public static Handoff Arm(Handoff handoff, HandoffOptions options)
    {
        ArgumentNullException.ThrowIfNull(handoff);
        ArgumentNullException.ThrowIfNull(options);
        DateTimeOffset? at = handoff switch
        {
            { Status: HandoffStatus.Accepted or HandoffStatus.InProgress } when options.AcceptedStaleAfter is { } after
                && handoff.History.LastOrDefault(e => e.Action == HandoffActions.Accepted) is { } accepted => accepted.At + after,
            { Referral: { Status: ReferralStatus.Scheduled } referral } when options.ReferralStaleAfter is { } after => From(referral) + after,
            _ => null,
        };
        return handoff.StaleAt == at ? handoff : handoff with { StaleAt = at };
    }

    /// <summary><paramref name="handoff"/> closed as stale when its time has come at <paramref name="now"/>; otherwise null.</summary>
    public static Handoff? Close(Handoff handoff, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(handoff);
        if (handoff.StaleAt is not { } due || due > now)
        {
            return null;
        }

        return handoff switch
        {
            { Status: HandoffStatus.Accepted or HandoffStatus.InProgress } => HandoffRules.Next(
                handoff with { Status = HandoffStatus.Failed, BusinessStatus = Closed, StaleAt = null, DeadlineAt = null },
                new HandoffEvent(now, Escalation.System, HandoffActions.ClosedAsStale, handoff.AcceptedBy is { } by ? [by] : [])),
            { Referral: { Status: ReferralStatus.Scheduled } referral } => HandoffRules.Next(
                handoff with { Referral = referral with { Status = ReferralStatus.Closed, EndedAt = now }, BusinessStatus = ReferralClosed, StaleAt = null },
                new HandoffEvent(now, Escalation.System, HandoffActions.ClosedAsStale, [handoff.RequesterId])),
            _ => null,
        };
    }

    // A referral booked for a day is stale that long after the day (its start, UTC); one without a day, after it was booked.
    private static DateTimeOffset From(Referral referral) =>
        referral.ScheduledFor is { } day && new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero) is var start && start > referral.ScheduledAt
            ? start
            : referral.ScheduledAt;
}
