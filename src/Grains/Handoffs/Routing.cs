using System.Collections.Immutable;
using Huddle.Contracts.CareTeams;
using Huddle.Contracts.Presence;

namespace Huddle.Grains.Handoffs;

/// <summary>
/// Who a role handoff may ping, plain C#: members holding the role who are reachable — available
/// first, most recently idle (latest "available since") first, then busy ones the same way;
/// do-not-disturb, in-session and offline members are skipped.
/// </summary>
public static class Routing
{
    /// <summary>True when role routing may ping someone with <paramref name="status"/>.</summary>
    public static bool IsReachable(PresenceStatus status) => status is PresenceStatus.Available or PresenceStatus.Busy;

    /// <summary>The reachable members holding <paramref name="role"/>, in ping order.</summary>
    public static ImmutableArray<string> Candidates(IEnumerable<RosterEntry> roster, CareTeamRole role) =>
    [
        .. roster
            .Where(m => m.Role == role && IsReachable(m.Status))
            .OrderBy(m => m.Status == PresenceStatus.Available ? 0 : 1)
            .ThenByDescending(m => m.Since)
            .ThenBy(m => m.UserId, StringComparer.Ordinal)
            .Select(m => m.UserId),
    ];

    /// <summary>
    /// Whom the first step of role routing pings: every reachable member holding <paramref name="role"/> when
    /// the team's policy pings all at once, else the first in ping order. A handoff to a role and a chat
    /// message to a role ("the BHC on duty") both reach exactly these.
    /// </summary>
    public static ImmutableArray<string> FirstReach(IEnumerable<RosterEntry> roster, CareTeamRole role, bool pingAllAtOnce)
    {
        var candidates = Candidates(roster, role);
        return pingAllAtOnce || candidates.Length <= 1 ? candidates : [candidates[0]];
    }

    /// <summary>True when <paramref name="userId"/> is on the roster and reachable.</summary>
    public static bool Reachable(IEnumerable<RosterEntry> roster, string userId) =>
        roster.Any(m => m.UserId == userId && IsReachable(m.Status));
}
