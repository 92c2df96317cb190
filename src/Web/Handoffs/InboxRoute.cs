using Huddle.Contracts.Common;
using Huddle.Contracts.Handoffs;
using Huddle.Contracts.Live;
using Huddle.Web.Live;

namespace Huddle.Web.Handoffs;

/// <summary>A clinician's inbox through the relay: <c>inbox:{userId}</c>, owned by their inbox grain, sent as <c>HandoffInboxChanged</c>.</summary>
public sealed class InboxRoute(HuddleClock clock) : IFeedRoute
{
    public string Kind => IInboxGrain.Feed;

    /// <summary>The inbox feed of <paramref name="userId"/>.</summary>
    public static FeedId FeedOf(string userId) => new(IInboxGrain.Feed, userId);

    public IFeedGrain Owner(IGrainFactory grains, string key)
    {
        ArgumentNullException.ThrowIfNull(grains);
        return grains.GetGrain<IInboxGrain>(key);
    }

    public Task SendAsync(IHuddleClient clients, object payload)
    {
        ArgumentNullException.ThrowIfNull(clients);
        return clients.HandoffInboxChanged((InboxChange)payload);
    }

    public object ResetPayload(FeedId feed, long seq, string reason) => new InboxChange(feed.Key, seq, null, false, null, clock.UtcNow, Reset: true);
}
