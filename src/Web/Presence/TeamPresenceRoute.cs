using Huddle.Contracts.Common;
using Huddle.Contracts.Live;
using Huddle.Contracts.Presence;
using Huddle.Web.Live;

namespace Huddle.Web.Presence;

/// <summary>A team's presence roster through the relay: <c>presence:{teamId}</c>, sent as <c>TeamPresenceChanged</c>.</summary>
public sealed class TeamPresenceRoute(HuddleClock clock) : FeedRoute<ITeamPresenceGrain, TeamPresenceChange>(ITeamPresenceGrain.Feed)
{
    /// <summary>The presence feed of <paramref name="teamId"/>.</summary>
    public static FeedId FeedOf(string teamId) => new(ITeamPresenceGrain.Feed, teamId);

    protected override Task Send(IHuddleClient clients, TeamPresenceChange change) => clients.TeamPresenceChanged(change);

    public override object ResetPayload(FeedId feed, long seq, string reason) => new TeamPresenceChange(feed.Key, seq, null, clock.UtcNow, Reset: true);
}
