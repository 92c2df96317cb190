using System.Collections.Immutable;
using Huddle.Contracts.Live;
using Microsoft.Extensions.Logging;
using Orleans.Utilities;

namespace Huddle.Grains.Live;

/// <summary>
/// The owner's side of one feed, reused by every grain that publishes one: the hosts subscribed to it
/// (Orleans' <see cref="ObserverManager{T}"/>, expiring unless renewed), the feed's position (epoch and
/// seq), and a bounded ring of recent changes that answers catch-up reads, one page at a time. The
/// grain decides what a change is and who may see it; the publisher only numbers, keeps and sends.
/// <para>
/// Lives in the grain's activation. An owner whose seq is stored keeps its epoch in the same state
/// (<see cref="EpochOf"/>): a new activation continues the numbering, its ring starts empty at the
/// stored seq, and a reader from before the ring gets a reset, never a wrong list; a lost state loses
/// the epoch with it, so the numbering that starts again is a new epoch. An owner whose seq is not
/// stored passes no epoch and gets a new one per activation. An owner that also stores its changes in
/// pages (a chat thread) passes a reader of those pages (<c>readStored</c>): the ring answers the
/// recent past and the pages the rest, so a reader away for a long time pages forward instead of being reset.
/// </para>
/// </summary>
public sealed partial class FeedPublisher
{
    private readonly ObserverManager<IFeedObserver> _observers;
    private readonly Queue<FeedChange> _recent = new();
    private readonly int _bufferSize;
    private readonly Func<long, int, Task<IReadOnlyList<FeedChange>>>? _readStored;
    private readonly ILogger _logger;
    private readonly LocalFeedHosts? _localHosts;

    /// <param name="feed">The feed this publishes.</param>
    /// <param name="seq">The seq the owner's state is at.</param>
    /// <param name="options">Ring size and observer expiry.</param>
    /// <param name="logger">The owner's logger.</param>
    /// <param name="epoch">
    /// The epoch the owner stores with its seq (see <see cref="EpochOf"/>); null, for an owner whose
    /// seq is not stored, starts a new epoch for this activation.
    /// </param>
    /// <param name="readStored">
    /// Reads stored changes after a seq (at most the given count, in order, gap-free), for when the
    /// ring does not reach back; null when the owner stores none.
    /// </param>
    /// <param name="localHosts">
    /// The hosts in the owner's process (<see cref="LocalFeedHosts.In"/> of the grain's services): a change
    /// for one of them is handed to it directly, not sent as a message; null sends every change as a message.
    /// </param>
    public FeedPublisher(FeedId feed, long seq, FeedOptions options, ILogger logger, long? epoch = null,
        Func<long, int, Task<IReadOnlyList<FeedChange>>>? readStored = null, LocalFeedHosts? localHosts = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        Feed = feed;
        Seq = seq;
        Epoch = epoch is > 0 and < MaxEpoch ? epoch.Value : NewEpoch();
        _bufferSize = Math.Max(0, options.BufferSize);
        _readStored = readStored;
        _logger = logger;
        _localHosts = localHosts;
        _observers = new ObserverManager<IFeedObserver>(options.ObserverExpiry, logger);
    }

    /// <summary>Epochs stay below 2^53: a JavaScript client reads them exactly.</summary>
    public const long MaxEpoch = 1L << 53;

    public FeedId Feed { get; }

    /// <summary>The seq of the newest change (or, before any, the one the owner's state was at).</summary>
    public long Seq { get; private set; }

    /// <summary>The epoch <see cref="Seq"/> belongs to.</summary>
    public long Epoch { get; private set; }

    /// <summary>Where the feed stands.</summary>
    public FeedPosition Position => new(Epoch, Seq);

    /// <summary>Hosts currently subscribed.</summary>
    public int Subscribers => _observers.Count;

    /// <summary>The hosts subscribed now (one observer per web host relaying this feed), for a hint sent around the feed.</summary>
    public ImmutableArray<IFeedObserver> Hosts => [.. _observers];

    /// <summary>A fresh epoch, for an owner that stores one: unique in practice, below <see cref="MaxEpoch"/>.</summary>
    public static long NewEpoch() => Random.Shared.NextInt64(1, MaxEpoch);

    /// <summary>
    /// The epoch an owner stores with its seq: <paramref name="stored"/>, or a new one when the state
    /// has none yet (new, or lost). The owner keeps the answer in its state, written with its next change.
    /// </summary>
    public static long EpochOf(long stored) => stored is > 0 and < MaxEpoch ? stored : NewEpoch();

    /// <summary>Subscribes or renews <paramref name="observer"/>; returns the current position.</summary>
    public FeedPosition Subscribe(IFeedObserver observer)
    {
        _observers.Subscribe(observer, observer);
        return Position;
    }

    public void Unsubscribe(IFeedObserver observer) => _observers.Unsubscribe(observer);

    /// <summary>
    /// A watcher's open (or read), once the owner has placed them in <paramref name="audience"/>: one
    /// page of the changes after <paramref name="since"/> of <paramref name="epoch"/> for that audience
    /// when the owner can give them (and none is one that <paramref name="needsSnapshot"/> says cannot
    /// be merged), otherwise a reset with <paramref name="snapshot"/> (for a long log: its latest page).
    /// </summary>
    public async Task<FeedOpen> OpenAsync(string audience, long? since, long epoch, int limit,
        Func<Task<object>> snapshot, Func<object, bool>? needsSnapshot = null)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        if (since is { } from && await ReadSinceAsync(from, epoch, limit) is { Reset: false } missed)
        {
            var changes = missed.Changes.Select(c => c.For(audience)).OfType<object>().ToImmutableArray();
            if (needsSnapshot is null || !changes.Any(needsSnapshot))
            {
                return new FeedOpen(audience, missed.Seq, false, null, changes, missed.Epoch, missed.More);
            }
        }

        // An owner whose reads interleave with its writes could publish while the snapshot is taken:
        // then the snapshot is taken again, so its seq is always the one it was taken at.
        for (var attempt = 0; ; attempt++)
        {
            var at = Position;
            var taken = await snapshot();
            if (at == Position || attempt == 2)
            {
                return new FeedOpen(audience, at.Seq, true, taken, [], at.Epoch);
            }
        }
    }

    /// <inheritdoc cref="OpenAsync(string, long?, long, int, Func{Task{object}}, Func{object, bool}?)"/>
    public Task<FeedOpen> OpenAsync(string audience, long? since, long epoch, int limit,
        Func<object> snapshot, Func<object, bool>? needsSnapshot = null)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        return OpenAsync(audience, since, epoch, limit, () => Task.FromResult(snapshot()), needsSnapshot);
    }

    /// <summary>
    /// The owner's answers to a host's <see cref="IFeedGrain"/> calls, checking that the host asks for
    /// this feed's <paramref name="kind"/>: subscribe (returns the position), unsubscribe, read since.
    /// </summary>
    public Task<FeedPosition> SubscribeAsync(string kind, IFeedObserver observer)
    {
        CheckKind(kind);
        return Task.FromResult(Subscribe(observer));
    }

    /// <inheritdoc cref="SubscribeAsync"/>
    public Task UnsubscribeAsync(string kind, IFeedObserver observer)
    {
        CheckKind(kind);
        Unsubscribe(observer);
        return Task.CompletedTask;
    }

    /// <inheritdoc cref="SubscribeAsync"/>
    public Task<FeedCatchUp> ReadSinceAsync(string kind, long seq, long epoch, int limit)
    {
        CheckKind(kind);
        return ReadSinceAsync(seq, epoch, limit);
    }

    /// <summary>Throws unless <paramref name="kind"/> is this feed's: a host asking an owner for another feed is a bug.</summary>
    public void CheckKind(string kind)
    {
        if (kind != Feed.Kind)
        {
            throw new ArgumentException($"{Feed} is a '{Feed.Kind}' feed, not '{kind}'.", nameof(kind));
        }
    }

    /// <summary>
    /// Numbers, keeps and sends a change: <paramref name="seq"/> must be the next seq (the owner
    /// stores it first). Sending is one-way: this returns at once, whatever the hosts are doing.
    /// </summary>
    public FeedChange Publish(long seq, IEnumerable<FeedDelivery> deliveries, FeedRoster? roster = null)
    {
        if (seq <= Seq)
        {
            // The owner's seq went back (it should not): the seqs from here were already handed out
            // with other content, so they belong to a new epoch, and nothing kept from before applies.
            Epoch = NewEpoch();
            _recent.Clear();
            LogNewEpoch(_logger, Feed.ToString(), seq, Epoch);
        }
        else if (seq != Seq + 1)
        {
            // The owner's seq jumped without the publisher: what the ring holds no longer leads up
            // to this change, so it cannot answer catch-ups across the jump (stored pages still can).
            _recent.Clear();
        }

        var change = new FeedChange(Feed, seq, [.. deliveries], roster, Epoch);
        Seq = seq;
        if (_bufferSize > 0)
        {
            _recent.Enqueue(change);
            while (_recent.Count > _bufferSize)
            {
                _recent.Dequeue();
            }
        }

        if (_observers.Count > 0)
        {
            var local = _localHosts;
            _observers.Notify((Action<IFeedObserver>)(o => (local?.Resolve(o) ?? o).OnFeedChanged(change)));
        }

        return change;
    }

    /// <summary>
    /// Forgets the recent changes kept for catch-up, for an owner that amended what it published (a chat
    /// message deleted): catch-ups then read the owner's stored form (<c>readStored</c>). An owner
    /// without a reader keeps its ring (it would answer resets instead).
    /// </summary>
    public void ForgetRecent()
    {
        if (_readStored is not null)
        {
            _recent.Clear();
        }
    }

    /// <summary>
    /// One page of the changes after <paramref name="seq"/> of <paramref name="epoch"/>, in order: from
    /// the ring when it reaches back, else from the stored pages; a reset when neither can give them,
    /// when the epoch is not this owner's, or when <paramref name="seq"/> is from the future (a state that was lost).
    /// </summary>
    public async Task<FeedCatchUp> ReadSinceAsync(long seq, long epoch = FeedPosition.AnyEpoch, int limit = 0)
    {
        var (head, current) = (Seq, Epoch);
        if (epoch != FeedPosition.AnyEpoch && epoch != current)
        {
            return new FeedCatchUp(head, true, [], current);
        }

        if (seq == head)
        {
            return new FeedCatchUp(head, false, [], current);
        }

        if (seq > head || seq < 0)
        {
            return new FeedCatchUp(head, true, [], current);
        }

        var page = FeedPage.Clamp(limit);
        ImmutableArray<FeedChange> changes;
        if (_recent.Count > 0 && _recent.Peek().Seq <= seq + 1)
        {
            changes = [.. _recent.Where(c => c.Seq > seq).Take(page)];
        }
        else if (_readStored is not null)
        {
            var stored = await _readStored(seq, page);
            // Stored changes are this epoch's by the owner's word (it stores the epoch with them).
            changes = [.. stored.Where(c => c.Seq <= head).Take(page).Select(c => c.Epoch == current ? c : c with { Epoch = current })];
            if (Epoch != current)
            {
                // A new epoch began while the pages were read: they may belong to the old one.
                return new FeedCatchUp(Seq, true, [], Epoch);
            }
        }
        else
        {
            return new FeedCatchUp(head, true, [], current);
        }

        // What is handed out must continue the reader's seq without a gap, or it is no answer at all.
        for (var i = 0; i < changes.Length; i++)
        {
            if (changes[i].Seq != seq + 1 + i)
            {
                return new FeedCatchUp(head, true, [], current);
            }
        }

        if (changes.IsEmpty)
        {
            return new FeedCatchUp(head, true, [], current);
        }

        var last = changes[^1].Seq;
        return new FeedCatchUp(last, false, changes, current, last < head);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Feed {Feed} was published at seq {Seq}, not after its last: new epoch {Epoch}")]
    private static partial void LogNewEpoch(ILogger logger, string feed, long seq, long epoch);
}
