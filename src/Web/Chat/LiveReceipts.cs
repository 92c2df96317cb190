using Huddle.Contracts.Chat;
using Huddle.Web.Live;

namespace Huddle.Web.Chat;

/// <summary>
/// A chat panel's live copy of its thread's receipts (<c>receipts:{threadId}</c>): every change is the whole
/// table, so a merge takes it. Answers "delivered to / read by k of n" for any message from the cursors.
/// </summary>
public sealed class LiveReceipts : ILiveCopy<ThreadReceipts, ThreadReceipts>, IAsyncDisposable
{
    private LiveFeed<ThreadReceipts, ThreadReceipts>? _feed;
    private ThreadReceipts? _now;

    /// <summary>Opens the receipts of <paramref name="threadId"/>; <paramref name="changed"/> runs on the renderer after each change.</summary>
    public static async Task<LiveReceipts> OpenAsync(ChatService chat, string userId, string threadId, Func<Func<Task>, Task> dispatch, Func<Task> changed)
    {
        ArgumentNullException.ThrowIfNull(chat);
        var live = new LiveReceipts();
        live._feed = await LiveFeed<ThreadReceipts, ThreadReceipts>.OpenAsync(chat.ReceiptsSourceOf(userId, threadId), live, dispatch, changed);
        return live;
    }

    /// <summary>Who the message at <paramref name="message"/>'s seq reached and who read it: the members other than its sender.</summary>
    public MessageReceipts For(ThreadMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (_now is not { } now)
        {
            return new MessageReceipts([], [], []);
        }

        var others = now.Members.Where(m => m != message.SenderId).ToHashSet(StringComparer.Ordinal);
        var cursors = now.Cursors.Where(c => others.Contains(c.UserId)).ToList();
        return new MessageReceipts([.. others.Order(StringComparer.Ordinal)],
            [.. cursors.Where(c => c.Delivered >= message.Seq)],
            [.. cursors.Where(c => c.Read >= message.Seq)]);
    }

    public async ValueTask DisposeAsync()
    {
        if (_feed is not null)
        {
            await _feed.DisposeAsync();
        }
    }

    long ILiveCopy<ThreadReceipts, ThreadReceipts>.SeqOf(ThreadReceipts change) => change.Seq;

    bool ILiveCopy<ThreadReceipts, ThreadReceipts>.IsReset(ThreadReceipts change) => change.Reset;

    void ILiveCopy<ThreadReceipts, ThreadReceipts>.Take(ThreadReceipts snapshot) => _now = snapshot;

    bool ILiveCopy<ThreadReceipts, ThreadReceipts>.Merge(ThreadReceipts change)
    {
        _now = change;
        return true;
    }

    void ILiveCopy<ThreadReceipts, ThreadReceipts>.Forget() => _now = null;
}
