using Huddle.Contracts.Chat;
using Huddle.Contracts.Common;
using Huddle.Contracts.Live;
using Huddle.Web.Http;
using Huddle.Web.Live;

namespace Huddle.Web.Chat;

/// <summary>Receipts and unread counts: reports go to the clinician's own chat grain; counts and receipts are read through the relay.</summary>
public sealed partial class ChatService
{
    /// <summary>
    /// Reports, as <paramref name="userId"/>, that <paramref name="threadId"/> reached a device of theirs up to
    /// <paramref name="delivered"/> and was shown on its screen up to <paramref name="read"/> (0: no news),
    /// seqs of the thread's feed <paramref name="epoch"/> (0: not known).
    /// </summary>
    public Task<Result<ThreadCursors>> ReportAsync(string userId, string threadId, long delivered, long read, long epoch = 0) =>
        CallAsync(threadId, "report", () => Grains.Grain<IThreadListGrain>(userId).ReportAsync(threadId, delivered, read, epoch));

    /// <summary>The catch-up read of <paramref name="userId"/>'s unread counts (without <paramref name="since"/>: all of them).</summary>
    public Task<Result<FeedReply<UnreadSnapshot, UnreadChange>>> ReadUnreadAsync(string userId, long? since, long epoch = FeedPosition.AnyEpoch) =>
        Relay.ReadAsync<UnreadSnapshot, UnreadChange>(UnreadRoute.FeedOf(userId), userId, since, null, epoch);

    /// <summary>The catch-up read of a thread's receipts (without <paramref name="since"/>: the whole table).</summary>
    public async Task<Result<FeedReply<ThreadReceipts, ThreadReceipts>>> ReadReceiptsAsync(string userId, string threadId, long? since,
        long epoch = FeedPosition.AnyEpoch) =>
        ThreadIds.Parse(threadId) is null ? InvalidThread : await Relay.ReadAsync<ThreadReceipts, ThreadReceipts>(ReceiptsRoute.FeedOf(threadId), userId, since, null, epoch);

    /// <summary><paramref name="userId"/>'s unread counts as a live copy on this host reads them.</summary>
    public FeedSource<UnreadSnapshot, UnreadChange> UnreadSourceOf(string userId) => new(Relay, UnreadRoute.FeedOf(userId), userId);

    /// <summary>A thread's receipts as <paramref name="userId"/>'s live copy on this host reads them.</summary>
    public FeedSource<ThreadReceipts, ThreadReceipts> ReceiptsSourceOf(string userId, string threadId) => new(Relay, ReceiptsRoute.FeedOf(threadId), userId);
}
