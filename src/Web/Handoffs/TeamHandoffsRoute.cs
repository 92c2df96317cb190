using Huddle.Contracts.Common;
using Huddle.Contracts.Handoffs;
using Huddle.Contracts.Live;
using Huddle.Web.Live;

namespace Huddle.Web.Handoffs;

/// <summary>A team's open handoffs through the relay: <c>handoffs:{teamId}</c>, owned by the team's desk grain, sent as <c>TeamHandoffsChanged</c>.</summary>
public sealed class TeamHandoffsRoute(HuddleClock clock) : FeedRoute<ITeamHandoffsGrain, TeamHandoffsChange>(ITeamHandoffsGrain.Feed)
{
    /// <summary>The open-handoffs feed of <paramref name="teamId"/>.</summary>
    public static FeedId FeedOf(string teamId) => new(ITeamHandoffsGrain.Feed, teamId);

    protected override Task Send(IHuddleClient clients, TeamHandoffsChange change) => clients.TeamHandoffsChanged(change);

    public override object ResetPayload(FeedId feed, long seq, string reason) => new TeamHandoffsChange(feed.Key, seq, null, clock.UtcNow, Reset: true);
}
