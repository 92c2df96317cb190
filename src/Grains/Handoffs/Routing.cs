using System.Collections.Immutable;
using Huddle.Contracts.CareTeams;
using Huddle.Contracts.Presence;

namespace Huddle.Grains.Handoffs;

/// <summary>
/// Who a role handoff may ping, plain C#: members holding the role who are reachable — available
/// first, most recently idle (latest "available since") first, then busy ones the same way;
/// do-not-disturb, in-session and offline members are skipped. With <c>viaPush</c> (a stat or asap
/// handoff on a team whose policy says <see cref="Contracts.Handoffs.EscalationPolicy.PushReachesOffline"/>)
/// an offline member with a push device is reachable too, after the busy ones: their phone is.
/// </summary>
public static class Routing
{
    /// <summary>True when role routing may ping someone with <paramref name="status"/>.</summary>
    public static bool IsReachable(PresenceStatus status) => status is PresenceStatus.Available or PresenceStatus.Busy;

    /// <summary>True when role routing may ping <paramref name="member"/> (offline with a push device only <paramref name="viaPush"/>).</summary>
    public static bool IsReachable(RosterEntry member, bool viaPush) =>
        IsReachable(member.Status) || (viaPush && member.Status == PresenceStatus.Offline && member.PushDevice);

    /// <summary>The reachable members holding <paramref name="role"/>, in ping order.</summary>
    public static ImmutableArray<string> Candidates(IEnumerable<RosterEntry> roster, CareTeamRole role, bool viaPush = false) =>
    [
        .. roster
            .Where(m => m.Role == role && IsReachable(m, viaPush))
            .OrderBy(m => m.Status switch { PresenceStatus.Available => 0, PresenceStatus.Busy => 1, _ => 2 })
            .ThenByDescending(m => m.Since)
            .ThenBy(m => m.UserId, StringComparer.Ordinal)
            .Select(m => m.UserId),
    ];

    /// <summary>
    /// Whom the first step of role routing pings: every reachable member holding <paramref name="role"/> when
    /// the team's policy pings all at once, else the first in ping order. A handoff to a role and a chat
    /// message to a role ("the BHC on duty") both reach exactly these.
    /// </summary>
    public static ImmutableArray<string> FirstReach(IEnumerable<RosterEntry> roster, CareTeamRole role, bool pingAllAtOnce, bool viaPush = false)
    {
        var candidates = Candidates(roster, role, viaPush);
        return pingAllAtOnce || candidates.Length <= 1 ? candidates : [candidates[0]];
    }

    /// <summary>True when <paramref name="userId"/> is on the roster and reachable.</summary>
    public static bool Reachable(IEnumerable<RosterEntry> roster, string userId, bool viaPush = false) =>
        roster.Any(m => m.UserId == userId && IsReachable(m, viaPush));
}
