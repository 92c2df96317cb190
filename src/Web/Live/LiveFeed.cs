using System.Collections.Immutable;
using Huddle.Contracts.Common;
using Huddle.Contracts.Live;

namespace Huddle.Web.Live;

/// <summary>
/// The one client-side live copy of a feed, for every feature (docs/api.md, "Keeping a live copy"):
/// opened with one call through the relay, then each change of the reader's audience handed to the
/// feature's <see cref="ILiveCopy{TSnapshot, TChange}"/> on the component's renderer. A change at or
/// below the held seq is dropped; a gap, a change that cannot be merged or a reset makes it catch up
/// (<c>ReadSince</c>: the changes missed, or the snapshot when they are no longer kept or hold a
/// reset); a reply that says <c>more</c> is read on from where it stopped. A feature writes its merge,
/// never this logic again.
/// </summary>
public sealed class LiveFeed<TSnapshot, TChange> : IAsyncDisposable
    where TSnapshot : class
    where TChange : class
{
    private readonly IFeedSource<TSnapshot, TChange> _source;
    private readonly ILiveCopy<TSnapshot, TChange> _copy;
    private readonly RendererFeed<TChange> _queue;
    private IAsyncDisposable? _watch;

    private LiveFeed(IFeedSource<TSnapshot, TChange> source, ILiveCopy<TSnapshot, TChange> copy, Func<Func<Task>, Task> dispatch, Func<Task> changed)
    {
        _source = source;
        _copy = copy;
        _queue = new RendererFeed<TChange>(dispatch, ApplyAsync, CatchUpOnceAsync, changed);
    }

    /// <summary>The last seq merged in (-1 before the first read succeeded).</summary>
    public long Seq { get; private set; } = -1;

    /// <summary>The owner's epoch of <see cref="Seq"/>: a read from <see cref="Seq"/> names it, so a seq of another epoch is never mistaken for ours.</summary>
    public long Epoch { get; private set; } = FeedPosition.AnyEpoch;

    /// <summary>The audience the reader was placed in (<c>members</c>, <c>displays</c>, <c>user:…</c>), or null before the first read succeeded.</summary>
    public string? Audience { get; private set; }

    /// <summary>Why the last read failed (forbidden, not found, unavailable), or null.</summary>
    public HuddleError? Error { get; private set; }

    /// <summary>
    /// Opens the feed from <paramref name="source"/> into <paramref name="copy"/>. <paramref name="dispatch"/>
    /// runs work on the component's renderer (its InvokeAsync); <paramref name="changed"/> runs there after
    /// changes were merged. Call it on the renderer too, so the snapshot and the changes apply one at a time.
    /// </summary>
    public static async Task<LiveFeed<TSnapshot, TChange>> OpenAsync(IFeedSource<TSnapshot, TChange> source, ILiveCopy<TSnapshot, TChange> copy,
        Func<Func<Task>, Task> dispatch, Func<Task> changed)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(copy);
        var feed = new LiveFeed<TSnapshot, TChange>(source, copy, dispatch, changed);
        var (open, watch) = await source.WatchAsync(feed._queue.Enqueue);
        feed._watch = watch;
        if (feed.Take(open))
        {
            await feed._queue.CatchUpAsync();
        }

        return feed;
    }

    /// <summary>Reads what was missed now (on the renderer), e.g. after the component's own write.</summary>
    public Task CatchUpAsync() => _queue.CatchUpAsync();

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _watch, null) is { } watch)
        {
            await watch.DisposeAsync();
        }
    }

    private async Task<bool> ApplyAsync(TChange change)
    {
        if (_copy.IsHint(change))
        {
            // Ahead of its numbered change, which follows: merged by the feature's version, the seq stays.
            return _copy.MergeHint(change);
        }

        var reset = _copy.IsReset(change);
        var seq = _copy.SeqOf(change);
        if (!reset && seq <= Seq)
        {
            // Already included in what is held. A reset is never stale: it may come from an owner that
            // went back (its in-memory state was lost).
            return false;
        }

        if (reset || Seq < 0 || seq != Seq + 1 || !_copy.Merge(change))
        {
            await _queue.CatchUpAsync();
            return true;
        }

        Seq = seq;
        return true;
    }

    /// <summary>One catch-up: what was missed, page by page while the owner says there is more, or the snapshot.</summary>
    private async Task CatchUpOnceAsync()
    {
        bool more;
        do
        {
            var from = Seq;
            var read = await _source.ReadAsync(Seq < 0 ? null : Seq, Epoch);
            if (read.Value is { Snapshot: null } missed && !Replay(missed.Changes))
            {
                // The missed stretch holds a reset (or a gap): only the snapshot tells what the feed is now.
                read = await _source.ReadAsync(null);
            }

            // A page that moved nothing on would be read again for ever: stop, the next change catches up.
            more = Take(read) && Seq > from;
        }
        while (more);
    }

    /// <summary>Takes a read: its snapshot, or its changes in order. True when the owner has more after them.</summary>
    private bool Take(Result<FeedReply<TSnapshot, TChange>> read)
    {
        if (read.Error is { } error)
        {
            Error = error;
            if (error.Code is ErrorCodes.Forbidden or ErrorCodes.NotFound or ErrorCodes.ValidationFailed)
            {
                // No longer allowed: nothing of the feed stays on screen.
                _copy.Forget();
                Seq = -1;
                Epoch = FeedPosition.AnyEpoch;
                Audience = null;
            }

            return false;
        }

        var reply = read.Value!;
        Error = null;
        Audience = reply.Audience;
        Epoch = reply.Epoch;
        if (reply.Snapshot is { } snapshot)
        {
            _copy.Take(snapshot);
            Seq = reply.Seq;
            return reply.More;
        }

        if (!Replay(reply.Changes))
        {
            return false;
        }

        // The reply's seq is where it leaves the reader: past a last change that had nothing for this
        // audience, and where the next page starts while there is more.
        Seq = Math.Max(Seq, reply.Seq);
        return reply.More;
    }

    /// <summary>Merges <paramref name="changes"/> in order; false at the first that cannot be merged.</summary>
    private bool Replay(ImmutableArray<TChange> changes)
    {
        foreach (var change in changes.IsDefault ? [] : changes)
        {
            var seq = _copy.SeqOf(change);
            if (_copy.IsReset(change))
            {
                return false;
            }

            if (seq <= Seq)
            {
                continue;
            }

            if (Seq < 0 || (seq != Seq + 1 && !_copy.IsCut(change)) || !_copy.Merge(change))
            {
                return false;
            }

            Seq = seq;
        }

        return true;
    }
}
