using Huddle.Contracts.Chat;
using Huddle.Contracts.Live;
using Huddle.Web.Live;

namespace Huddle.Web.Chat;

/// <summary>A clinician's unread counts through the relay: <c>unread:{userId}</c>, owned by their own chat grain, sent as <c>UnreadChanged</c>.</summary>
public sealed class UnreadRoute() : FeedRoute<IThreadListGrain, UnreadChange>(IThreadListGrain.UnreadFeed)
{
    /// <summary>The unread feed of <paramref name="userId"/>.</summary>
    public static FeedId FeedOf(string userId) => new(IThreadListGrain.UnreadFeed, userId);

    protected override Task Send(IHuddleClient clients, UnreadChange change) => clients.UnreadChanged(change);

    public override object ResetPayload(FeedId feed, long seq, string reason) => new UnreadChange(feed.Key, seq, 0, [], [], Reset: true);
}
