using Huddle.Contracts.Common;
using Huddle.Contracts.Live;
using Huddle.Contracts.Presence;
using Huddle.Web.Live;

namespace Huddle.Web.Presence;

/// <summary>A team's presence roster through the relay: <c>presence:{teamId}</c>, sent as <c>TeamPresenceChanged</c>.</summary>
public sealed class TeamPresenceRoute(HuddleClock clock) : IFeedRoute
{
    public string Kind => ITeamPresenceGrain.Feed;

    /// <summary>The presence feed of <paramref name="teamId"/>.</summary>
    public static FeedId FeedOf(string teamId) => new(ITeamPresenceGrain.Feed, teamId);

    public IFeedGrain Owner(IGrainFactory grains, string key)
    {
        ArgumentNullException.ThrowIfNull(grains);
        return grains.GetGrain<ITeamPresenceGrain>(key);
    }

    public Task SendAsync(IHuddleClient clients, object payload)
    {
        ArgumentNullException.ThrowIfNull(clients);
        return clients.TeamPresenceChanged((TeamPresenceChange)payload);
    }

    public object ResetPayload(FeedId feed, long seq, string reason) => new TeamPresenceChange(feed.Key, seq, null, clock.UtcNow, Reset: true);
}
