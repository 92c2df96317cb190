using Huddle.Contracts.Chat;
using Huddle.Contracts.Live;
using Huddle.Web.Live;

namespace Huddle.Web.Chat;

/// <summary>A thread's receipts through the relay: <c>receipts:{threadId}</c>, owned by its thread grain, sent as <c>ReceiptsChanged</c>.</summary>
public sealed class ReceiptsRoute() : FeedRoute<IThreadGrain, ThreadReceipts>(IThreadGrain.ReceiptsFeed)
{
    /// <summary>The receipts feed of thread <paramref name="threadId"/>.</summary>
    public static FeedId FeedOf(string threadId) => new(IThreadGrain.ReceiptsFeed, threadId);

    protected override Task Send(IHuddleClient clients, ThreadReceipts change) => clients.ReceiptsChanged(change);

    public override object ResetPayload(FeedId feed, long seq, string reason) => new ThreadReceipts(feed.Key, seq, [], [], Reset: true);
}
