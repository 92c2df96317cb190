using Huddle.Contracts.Chat;
using Huddle.Contracts.Common;
using Huddle.Contracts.Live;
using Huddle.Web.Chat;

namespace Huddle.Web.Live;

/// <summary>
/// The hub methods of receipts and unread counts (docs/api.md, "Receipts and unread counts"): a device
/// reports what reached it and what it showed; the clinician's unread counts and a thread's receipts are
/// feeds, opened, resumed and closed by the hub's one feed pattern.
/// </summary>
public sealed partial class HuddleHub
{
    /// <summary>Reports that <paramref name="threadId"/> reached this device up to <paramref name="seq"/> (not that it was read).</summary>
    public Task<Result<ThreadCursors>> ReportDelivered(string threadId, long seq, ChatService chat)
    {
        ArgumentNullException.ThrowIfNull(chat);
        return chat.ReportAsync(UserId, threadId, seq, 0);
    }

    /// <summary>Reports that <paramref name="threadId"/> was shown on this device's screen up to <paramref name="seq"/> (read, and so delivered).</summary>
    public Task<Result<ThreadCursors>> ReportRead(string threadId, long seq, ChatService chat)
    {
        ArgumentNullException.ThrowIfNull(chat);
        return chat.ReportAsync(UserId, threadId, seq, seq);
    }

    /// <summary>Starts receiving <c>UnreadChanged</c> and returns the signed-in clinician's unread counts.</summary>
    public Task<Result<FeedReply<UnreadSnapshot, UnreadChange>>> SubscribeUnread() =>
        OpenFeed<UnreadSnapshot, UnreadChange>(UnreadRoute.FeedOf(UserId), null, FeedPosition.AnyEpoch);

    /// <summary>Like <see cref="SubscribeUnread"/> for a client that has the counts up to <paramref name="seq"/> of <paramref name="epoch"/>.</summary>
    public Task<Result<FeedReply<UnreadSnapshot, UnreadChange>>> ResumeUnread(long seq, long epoch) =>
        OpenFeed<UnreadSnapshot, UnreadChange>(UnreadRoute.FeedOf(UserId), seq, epoch);

    /// <summary>Stops receiving unread counts.</summary>
    public Task UnsubscribeUnread() => CloseFeed(UnreadRoute.FeedOf(UserId));

    /// <summary>Starts receiving <c>ReceiptsChanged</c> for <paramref name="threadId"/> and returns its members' cursors.</summary>
    public Task<Result<FeedReply<ThreadReceipts, ThreadReceipts>>> SubscribeReceipts(string threadId) =>
        OpenFeed<ThreadReceipts, ThreadReceipts>(ReceiptsRoute.FeedOf(threadId), null, FeedPosition.AnyEpoch);

    /// <summary>Like <see cref="SubscribeReceipts"/> for a client that has them up to <paramref name="seq"/> of <paramref name="epoch"/>.</summary>
    public Task<Result<FeedReply<ThreadReceipts, ThreadReceipts>>> ResumeReceipts(string threadId, long seq, long epoch) =>
        OpenFeed<ThreadReceipts, ThreadReceipts>(ReceiptsRoute.FeedOf(threadId), seq, epoch);

    /// <summary>Stops receiving a thread's receipts.</summary>
    public Task UnsubscribeReceipts(string threadId) => CloseFeed(ReceiptsRoute.FeedOf(threadId));
}
