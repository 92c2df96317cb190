using System.Collections.Immutable;
using Huddle.Contracts.Live;
using Microsoft.Extensions.Logging;
using Orleans.Utilities;

namespace Huddle.Grains.Live;

/// <summary>
/// The owner's side of one feed, reused by every grain that publishes one: the hosts subscribed to it
/// (Orleans' <see cref="ObserverManager{T}"/>, expiring unless renewed), the feed's seq, and a bounded
/// buffer of recent changes that answers catch-up reads. The grain decides what a change is and who
/// may see it; the publisher only numbers, keeps and sends. Lives in the grain's activation: a new
/// activation starts with an empty buffer at the seq its state holds, so a catch-up from before it is
/// answered with a reset, never with a wrong list.
/// </summary>
public sealed class FeedPublisher
{
    private readonly ObserverManager<IFeedObserver> _observers;
    private readonly Queue<FeedChange> _recent = new();
    private readonly int _bufferSize;

    public FeedPublisher(FeedId feed, long seq, FeedOptions options, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        Feed = feed;
        Seq = seq;
        _bufferSize = Math.Max(0, options.BufferSize);
        _observers = new ObserverManager<IFeedObserver>(options.ObserverExpiry, logger);
    }

    public FeedId Feed { get; }

    /// <summary>The seq of the newest change (or, before any, the one the owner's state was at).</summary>
    public long Seq { get; private set; }

    /// <summary>Hosts currently subscribed.</summary>
    public int Subscribers => _observers.Count;

    /// <summary>Subscribes or renews <paramref name="observer"/>; returns the current seq.</summary>
    public long Subscribe(IFeedObserver observer)
    {
        _observers.Subscribe(observer, observer);
        return Seq;
    }

    public void Unsubscribe(IFeedObserver observer) => _observers.Unsubscribe(observer);

    /// <summary>
    /// A watcher's open, once the owner has placed them in <paramref name="audience"/>: the changes
    /// after <paramref name="since"/> for that audience when they are all kept (and none is one that
    /// <paramref name="needsSnapshot"/> says cannot be merged), otherwise a reset with
    /// <paramref name="snapshot"/>, taken at the current seq.
    /// </summary>
    public FeedOpen Open(string audience, long? since, Func<object> snapshot, Func<object, bool>? needsSnapshot = null)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        if (since is { } from && ReadSince(from) is { Reset: false } missed)
        {
            var changes = missed.Changes.Select(c => c.For(audience)).OfType<object>().ToImmutableArray();
            if (needsSnapshot is null || !changes.Any(needsSnapshot))
            {
                return new FeedOpen(audience, missed.Seq, false, null, changes);
            }
        }

        return new FeedOpen(audience, Seq, true, snapshot(), []);
    }

    /// <summary>
    /// The owner's answers to a host's <see cref="IFeedGrain"/> calls, checking that the host asks for
    /// this feed's <paramref name="kind"/>: subscribe (returns the seq), unsubscribe, read since.
    /// </summary>
    public Task<long> SubscribeAsync(string kind, IFeedObserver observer)
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
    public Task<FeedCatchUp> ReadSinceAsync(string kind, long seq)
    {
        CheckKind(kind);
        return Task.FromResult(ReadSince(seq));
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
        if (seq != Seq + 1)
        {
            // The owner's seq moved without the publisher (it should not): what the buffer holds
            // no longer leads up to this change, so it cannot answer catch-ups across the jump.
            _recent.Clear();
        }

        var change = new FeedChange(Feed, seq, [.. deliveries], roster);
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
            _observers.Notify((Action<IFeedObserver>)(o => o.OnFeedChanged(change)));
        }

        return change;
    }

    /// <summary>
    /// The changes after <paramref name="seq"/> in order, or a reset when the buffer no longer
    /// reaches back that far (or <paramref name="seq"/> is from the future: a state that was lost).
    /// </summary>
    public FeedCatchUp ReadSince(long seq)
    {
        if (seq == Seq)
        {
            return new FeedCatchUp(Seq, false, []);
        }

        if (seq < Seq && _recent.Count > 0 && _recent.Peek().Seq <= seq + 1)
        {
            return new FeedCatchUp(Seq, false, [.. _recent.Where(c => c.Seq > seq)]);
        }

        return new FeedCatchUp(Seq, true, []);
    }
}
