using Huddle.Contracts.Chat;
using Huddle.Contracts.Live;
using Huddle.Web.Live;

namespace Huddle.Web.Chat;

/// <summary>A chat thread through the relay: <c>thread:{threadId}</c>, owned by its thread grain, sent as <c>ThreadChanged</c>.</summary>
public sealed class ThreadRoute() : FeedRoute<IThreadGrain, ThreadChange>(IThreadGrain.Feed)
{
    /// <summary>The feed of thread <paramref name="threadId"/>.</summary>
    public static FeedId FeedOf(string threadId) => new(IThreadGrain.Feed, threadId);

    protected override Task Send(IHuddleClient clients, ThreadChange change) => clients.ThreadChanged(change);

    public override object ResetPayload(FeedId feed, long seq, string reason) => new ThreadChange(feed.Key, seq, null, Reset: true);
}
