using Huddle.Contracts.Common;
using Huddle.Contracts.Handoffs;
using Huddle.Contracts.Live;
using Huddle.Web.Live;

namespace Huddle.Web.Handoffs;

/// <summary>A clinician's inbox through the relay: <c>inbox:{userId}</c>, owned by their inbox grain, sent as <c>HandoffInboxChanged</c>.</summary>
public sealed class InboxRoute(HuddleClock clock) : FeedRoute<IInboxGrain, InboxChange>(IInboxGrain.Feed)
{
    /// <summary>The inbox feed of <paramref name="userId"/>.</summary>
    public static FeedId FeedOf(string userId) => new(IInboxGrain.Feed, userId);

    protected override Task Send(IHuddleClient clients, InboxChange change) => clients.HandoffInboxChanged(change);

    public override object ResetPayload(FeedId feed, long seq, string reason) => new InboxChange(feed.Key, seq, null, false, null, clock.UtcNow, Reset: true);
}
