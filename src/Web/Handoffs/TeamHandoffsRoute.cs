using Huddle.Contracts.Common;
using Huddle.Contracts.Handoffs;
using Huddle.Contracts.Live;
using Huddle.Web.Live;

namespace Huddle.Web.Handoffs;

/// <summary>A team's open handoffs through the relay: <c>handoffs:{teamId}</c>, owned by the team's desk grain, sent as <c>TeamHandoffsChanged</c>.</summary>
public sealed class TeamHandoffsRoute(HuddleClock clock) : IFeedRoute
{
    public string Kind => ITeamHandoffsGrain.Feed;

    /// <summary>The open-handoffs feed of <paramref name="teamId"/>.</summary>
    public static FeedId FeedOf(string teamId) => new(ITeamHandoffsGrain.Feed, teamId);

    public IFeedGrain Owner(IGrainFactory grains, string key)
    {
        ArgumentNullException.ThrowIfNull(grains);
        return grains.GetGrain<ITeamHandoffsGrain>(key);
    }

    public Task SendAsync(IHuddleClient clients, object payload)
    {
        ArgumentNullException.ThrowIfNull(clients);
        return clients.TeamHandoffsChanged((TeamHandoffsChange)payload);
    }

    public object ResetPayload(FeedId feed, long seq, string reason) => new TeamHandoffsChange(feed.Key, seq, null, clock.UtcNow, Reset: true);
}
