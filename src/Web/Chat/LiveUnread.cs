using Huddle.Contracts.Chat;
using Huddle.Contracts.Common;
using Huddle.Web.Live;

namespace Huddle.Web.Chat;

/// <summary>
/// A circuit's live copy of the signed-in clinician's unread counts (<c>unread:{userId}</c>): replace each
/// changed thread, drop the removed, take the total, on the one generic <see cref="LiveFeed{TSnapshot, TChange}"/>.
/// Held once per circuit (<see cref="CircuitUnread"/>).
/// </summary>
public sealed class LiveUnread : ILiveCopy<UnreadSnapshot, UnreadChange>, IAsyncDisposable
{
    private readonly Dictionary<string, ThreadUnread> _threads = new(StringComparer.Ordinal);
    private LiveFeed<UnreadSnapshot, UnreadChange>? _feed;

    private LiveUnread(string userId) => UserId = userId;

    public string UserId { get; }

    /// <summary>The feed's seq the counts are at.</summary>
    public long Seq => _feed?.Seq ?? -1;

    /// <summary>Unread messages in all threads.</summary>
    public long Total { get; private set; }

    /// <summary>Why the counts cannot be shown, or null.</summary>
    public HuddleError? Error => _feed?.Error;

    /// <summary>Every thread with a count, most recent activity first.</summary>
    public IReadOnlyList<ThreadUnread> Threads =>
        [.. _threads.Values.OrderByDescending(t => t.At).ThenBy(t => t.Thread.ThreadId, StringComparer.Ordinal)];

    /// <summary>The count of <paramref name="threadId"/>, or null when the clinician has none there.</summary>
    public ThreadUnread? Of(string threadId) => _threads.GetValueOrDefault(threadId);

    /// <summary>Opens <paramref name="userId"/>'s counts; <paramref name="changed"/> runs on the renderer after each change.</summary>
    public static async Task<LiveUnread> OpenAsync(ChatService chat, string userId, Func<Func<Task>, Task> dispatch, Func<Task> changed)
    {
        ArgumentNullException.ThrowIfNull(chat);
        var live = new LiveUnread(userId);
        live._feed = await LiveFeed<UnreadSnapshot, UnreadChange>.OpenAsync(chat.UnreadSourceOf(userId), live, dispatch, changed);
        return live;
    }

    public async ValueTask DisposeAsync()
    {
        if (_feed is not null)
        {
            await _feed.DisposeAsync();
        }
    }

    long ILiveCopy<UnreadSnapshot, UnreadChange>.SeqOf(UnreadChange change) => change.Seq;

    bool ILiveCopy<UnreadSnapshot, UnreadChange>.IsReset(UnreadChange change) => change.Reset;

    void ILiveCopy<UnreadSnapshot, UnreadChange>.Take(UnreadSnapshot snapshot)
    {
        _threads.Clear();
        foreach (var t in snapshot.Threads)
        {
            _threads[t.Thread.ThreadId] = t;
        }

        Total = snapshot.Total;
    }

    bool ILiveCopy<UnreadSnapshot, UnreadChange>.Merge(UnreadChange change)
    {
        foreach (var t in change.Threads)
        {
            _threads[t.Thread.ThreadId] = t;
        }

        foreach (var gone in change.Removed)
        {
            _threads.Remove(gone);
        }

        Total = change.Total;
        return true;
    }

    void ILiveCopy<UnreadSnapshot, UnreadChange>.Forget()
    {
        _threads.Clear();
        Total = 0;
    }
}
