using Huddle.Contracts.Live;

namespace Huddle.Contracts.Presence;

/// <summary>
/// A team's presence roster (key: the team id), owner of the feed <c>presence:{teamId}</c>: who on the
/// team is available, busy, in session, on do-not-disturb or offline, live, for the board, the roster
/// and the handoff target picker. Members and the team's room displays may watch (names and statuses
/// only, no patient data). It holds and publishes the team's clinicians only: a room display's or a
/// former member's presence is neither kept nor published (the snapshot never lists them).
/// </summary>
public interface ITeamPresenceGrain : IFeedGrain, CareTeams.ITeamFollower
{
    /// <summary>The feed kind of a team's presence roster.</summary>
    const string Feed = "presence";

    /// <summary>Called by a clinician's presence grain when their presence changed.</summary>
    Task UpdateAsync(PresenceView member);

    /// <summary>
    /// Every member's presence this roster knows, as it stands now (a member whose connections all went
    /// silent is offline): what routing reads, instead of one call per member. A member the roster has
    /// never heard of (added to the team since) is missing; the caller asks that clinician's grain.
    /// On the ping's path, so it never writes and never waits behind a write: what it learns from
    /// members' grains is taken in on a turn of its own (the roster is never stored).
    /// </summary>
    [AlwaysInterleave]
    Task<System.Collections.Immutable.ImmutableArray<PresenceView>> RosterAsync();
}
