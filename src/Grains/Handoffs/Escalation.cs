using System.Collections.Immutable;
using Huddle.Contracts.CareTeams;
using Huddle.Contracts.Handoffs;

namespace Huddle.Grains.Handoffs;

/// <summary>
/// The escalation ladder, plain C# (<see cref="EscalationSteps"/>): while a requested handoff's
/// deadline has passed, it climbs one step — targets, backup 1, backup 2 or the whole role, then
/// "no response" — pinging whoever that step reaches and was not pinged before, each step waiting
/// the priority's target time from when it pinged. A step that reaches nobody is recorded as
/// skipped and the next is taken at once, so an overdue handoff (a silo was down) catches up in one
/// call. Every step is recorded on the handoff.
/// </summary>
public static class Escalation
{
    /// <summary>
    /// <paramref name="handoff"/> after every escalation step due at <paramref name="now"/>, with the
    /// users newly pinged; the same handoff and nobody when nothing was due.
    /// </summary>
    public static (Handoff Handoff, ImmutableArray<string> Pinged) Advance(Handoff handoff, EscalationPolicy policy, IReadOnlyCollection<RosterEntry> roster, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(handoff);
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(roster);
        var pinged = ImmutableArray.CreateBuilder<string>();
        while (handoff is { Status: HandoffStatus.Requested, DeadlineAt: { } due } && due <= now)
        {
            var step = handoff.Step + 1;
            if (step >= EscalationSteps.NoResponse)
            {
                handoff = GiveUp(handoff, now);
                break;
            }

            var (reach, label) = Reach(handoff, step, policy, roster);
            var fresh = reach.Where(u => !handoff.Notified.Contains(u) && !handoff.Declined.Contains(u) && u != handoff.RequesterId).Distinct().ToImmutableArray();
            if (fresh.IsEmpty)
            {
                handoff = HandoffRules.Next(handoff with { Step = step }, new HandoffEvent(now, System, HandoffActions.Skipped, [], label));
                continue;
            }

            var action = step == EscalationSteps.Targets ? HandoffActions.Pinged : HandoffActions.Escalated;
            var status = step == EscalationSteps.Targets ? "pinged" : $"escalated to {label}";
            handoff = HandoffRules.Next(
                handoff with { Step = step, Notified = handoff.Notified.AddRange(fresh), DeadlineAt = now + policy.TargetTime(handoff.Priority), BusinessStatus = status },
                new HandoffEvent(now, System, action, fresh, label));
            pinged.AddRange(fresh);
        }

        return (handoff, pinged.ToImmutable());
    }

    /// <summary>The business status of a handoff whose team no longer exists.</summary>
    public const string TeamMissing = "team not found";

    /// <summary>
    /// <paramref name="handoff"/> ended because its team's profile reads null: nothing is left to route
    /// or escalate by, so it fails (the requester is told and may schedule a referral) instead of waiting for ever.
    /// </summary>
    public static Handoff TeamGone(Handoff handoff, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(handoff);
        return HandoffRules.Next(
            handoff with { Status = HandoffStatus.Failed, BusinessStatus = TeamMissing, DeadlineAt = null, StaleAt = null },
            new HandoffEvent(now, System, HandoffActions.TeamMissing, [handoff.RequesterId], handoff.TeamId));
    }

    /// <summary>The actor recorded for steps nobody took: the escalation itself.</summary>
    public const string System = "system";

    private static (IEnumerable<string> Users, string Label) Reach(Handoff handoff, int step, EscalationPolicy policy, IReadOnlyCollection<RosterEntry> roster)
    {
        var role = handoff.Target.Role ?? roster.FirstOrDefault(m => m.UserId == handoff.Target.UserId)?.Role;
        // The team may let the most pressing handoffs reach a locked phone of someone offline.
        var viaPush = policy.PushReachesOffline && handoff.Priority is HandoffPriority.Stat or HandoffPriority.Asap;
        var wholeRole = role is { } r ? Routing.Candidates(roster, r, viaPush) : [];
        return step switch
        {
            // A named clinician is pinged whatever their presence: the requester chose them.
            EscalationSteps.Targets when handoff.Target.UserId is { } named => ([named], EscalationSteps.TargetsDetail),
            EscalationSteps.Targets => (role is { } first ? Routing.FirstReach(roster, first, policy.PingAllAtOnce, viaPush) : [], EscalationSteps.TargetsDetail),
            EscalationSteps.Backup1 => (Backup(policy.Backup1, roster, viaPush), "backup 1"),
            _ when policy.Backup2 is { } backup2 && Routing.Reachable(roster, backup2, viaPush) => ([backup2], "backup 2"),
            _ => (wholeRole, "the whole role"),
        };
    }

    private static IEnumerable<string> Backup(string? userId, IReadOnlyCollection<RosterEntry> roster, bool viaPush) =>
        userId is not null && Routing.Reachable(roster, userId, viaPush) ? [userId] : [];

    private static Handoff GiveUp(Handoff handoff, DateTimeOffset now)
    {
        // Everyone pinged said no: that is a decline (FHIR rejected), not silence.
        var allDeclined = !handoff.Notified.IsEmpty && handoff.Notified.All(handoff.Declined.Contains);
        return HandoffRules.Next(
            handoff with
            {
                Step = EscalationSteps.NoResponse,
                Status = allDeclined ? HandoffStatus.Declined : HandoffStatus.Failed,
                BusinessStatus = allDeclined ? "declined by everyone pinged" : "no response",
                DeadlineAt = null,
            },
            new HandoffEvent(now, System, allDeclined ? HandoffActions.AllDeclined : HandoffActions.NoResponse, [handoff.RequesterId]));
    }
}
