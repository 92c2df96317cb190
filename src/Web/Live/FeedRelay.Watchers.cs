using Huddle.Contracts.Common;
using Huddle.Contracts.Live;
using Huddle.Web.Http;

namespace Huddle.Web.Live;

/// <summary>
/// The registry: who watches which feed on this host, how a watcher opens (one owner call, then a
/// join on the feed's pump, with no gap between), how it leaves, and the feed's subscription at its
/// owner for as long as anyone here watches it.
/// </summary>
public sealed partial class FeedRelay
{
    // Unsubscribes still in flight, by feed: a new subscription waits for them, or the late
    // unsubscribe could land after it at the owner and silently stop the feed.
    private readonly Dictionary<FeedId, Task> _leaving = [];
    private readonly Dictionary<string, HubConnectionWatches> _connections = new(StringComparer.Ordinal);

    /// <summary>Who watches <paramref name="feed"/> on this host: each hub connection or component, with its audience.</summary>
    public IReadOnlyList<FeedWatcher> WatchersOf(FeedId feed)
    {
        lock (_lock)
        {
            return _feeds.TryGetValue(feed, out var f) ? [.. f.Watches.Where(w => w.Joined && !w.Closed).Select(w => new FeedWatcher(w.ConnectionId, w.UserId, w.Audience!))] : [];
        }
    }

    /// <summary>
    /// Opens <paramref name="feed"/> for a hub connection: one owner call checks access, places the
    /// user in an audience and returns (one page of) what they missed since <paramref name="since"/>
    /// of <paramref name="epoch"/>, or the snapshot; the connection then receives every later change
    /// of its audience, with no gap between the two. While the reply says <c>More</c>, the client
    /// reads on with <see cref="ReadAsync(FeedId, string, long?, string?, long, int)"/>. Opening a feed the connection already watches only reads again.
    /// </summary>
    public async Task<Result<FeedOpen>> OpenAsync(FeedId feed, HubWatcher watcher, long? since, string? audience = null,
        long epoch = FeedPosition.AnyEpoch, int limit = 0)
    {
        ArgumentNullException.ThrowIfNull(watcher);
        var route = RouteOf(feed);
        HubConnectionWatches connection;
        FeedWatch watch;
        var register = false;
        FeedWatch? evicted = null;
        lock (_lock)
        {
            if (!_connections.TryGetValue(watcher.ConnectionId, out connection!))
            {
                connection = new HubConnectionWatches(watcher.UserId);
                _connections[watcher.ConnectionId] = connection;
                register = true;
            }

            if (connection.Closed)
            {
                return Failures.Unavailable;
            }

            if (connection.Feeds.TryGetValue(feed, out var existing) && !existing.Evicted)
            {
                watch = null!;
            }
            else
            {
                evicted = existing;
                watch = new FeedWatch(watcher.ConnectionId, watcher.UserId, audience, null);
                connection.Feeds[feed] = watch;
            }
        }

        if (register)
        {
            // The connection's end closes everything it watches, also a feed still being opened.
            connection.Registration = watcher.Aborted.Register(() => _ = CloseConnectionAsync(watcher.ConnectionId));
        }

        if (watch is null)
        {
            return await ReadAsync(route, feed, watcher.UserId, since, audience, epoch, limit);
        }

        if (evicted is not null)
        {
            await LeaveAsync(evicted);
        }

        return await OpenWatchAsync(route, feed, watch, since, audience, epoch, limit, () =>
        {
            lock (_lock)
            {
                if (connection.Feeds.TryGetValue(feed, out var current) && ReferenceEquals(current, watch))
                {
                    connection.Feeds.Remove(feed);
                }
            }
        });
    }

    /// <summary>Stops a hub connection watching <paramref name="feed"/>.</summary>
    public Task CloseAsync(FeedId feed, string connectionId)
    {
        FeedWatch? watch = null;
        lock (_lock)
        {
            if (_connections.TryGetValue(connectionId, out var connection) && connection.Feeds.Remove(feed, out var w))
            {
                watch = w;
            }
        }

        return watch is null ? Task.CompletedTask : LeaveAsync(watch);
    }

    /// <summary>The connection ended: everything it watched is closed, and nothing it was still opening will stay.</summary>
    public async Task CloseConnectionAsync(string connectionId)
    {
        List<FeedWatch> watches;
        HubConnectionWatches? connection;
        lock (_lock)
        {
            if (!_connections.Remove(connectionId, out connection))
            {
                return;
            }

            connection.Closed = true;
            watches = [.. connection.Feeds.Values];
            connection.Feeds.Clear();
        }

        connection.Registration.Dispose();
        foreach (var watch in watches)
        {
            await LeaveAsync(watch);
        }
    }

    /// <summary>
    /// Opens <paramref name="feed"/> for a component on this host: like a hub connection, but each
    /// change of its audience is handed to <paramref name="onPayload"/> (called on the feed's pump:
    /// post it to the component's renderer). Dispose the watch to stop: once disposed, it is never called again.
    /// </summary>
    public async Task<(Result<FeedOpen> Open, IAsyncDisposable? Watch)> OpenLocalAsync(FeedId feed, string userId, long? since, string? audience,
        Action<object> onPayload, long epoch = FeedPosition.AnyEpoch, int limit = 0)
    {
        var route = RouteOf(feed);
        var watch = new FeedWatch(null, userId, audience, onPayload);
        var open = await OpenWatchAsync(route, feed, watch, since, audience, epoch, limit, static () => { });
        return (open, open.Ok ? new LocalWatch(this, watch) : null);
    }

    /// <summary>
    /// One page of what <paramref name="userId"/> missed since <paramref name="since"/> of
    /// <paramref name="epoch"/> (or the snapshot), without watching: the catch-up read. Read again
    /// from the reply's position while it says <c>More</c>.
    /// </summary>
    public Task<Result<FeedOpen>> ReadAsync(FeedId feed, string userId, long? since, string? audience = null,
        long epoch = FeedPosition.AnyEpoch, int limit = 0) =>
        ReadAsync(RouteOf(feed), feed, userId, since, audience, epoch, limit);

    private async Task<Result<FeedOpen>> ReadAsync(IFeedRoute route, FeedId feed, string userId, long? since, string? audience,
        long epoch, int limit)
    {
        try
        {
            return await route.Owner(_grains, feed.Key).OpenAsync(feed.Kind, userId, since, audience, epoch, limit);
        }
        catch (Exception ex) when (Failures.IsUnavailable(ex))
        {
            LogOpenFailed(ex, feed.ToString());
            return Failures.Unavailable;
        }
    }

    /// <summary>
    /// Attaches the feed, opens it at the owner, then joins <paramref name="watch"/> on the feed's
    /// pump. Changes the pump relayed between the owner's answer and the join are read again and
    /// added (or, when the pump is in another epoch than the answer, a fresh snapshot is read), so the
    /// watcher has everything up to the position from which its stream continues.
    /// </summary>
    private async Task<Result<FeedOpen>> OpenWatchAsync(IFeedRoute route, FeedId feed, FeedWatch watch, long? since, string? audience,
        long epoch, int limit, Action forget)
    {
        RelayedFeed attached;
        try
        {
            attached = await AttachAsync(route, feed);
        }
        catch (Exception ex)
        {
            forget();
            if (!Failures.IsUnavailable(ex))
            {
                throw;
            }

            LogOpenFailed(ex, feed.ToString());
            return Failures.Unavailable;
        }

        watch.Feed = attached;
        if (watch.Closed)
        {
            // Closed while attaching: the close could not release what it did not yet know.
            ReleaseOnce(watch);
            return Failures.Unavailable;
        }

        Result<FeedOpen> open;
        try
        {
            var generation = await WatchUserAsync(watch.UserId);
            open = await ReadAsync(route, feed, watch.UserId, since, audience, epoch, limit);
            watch.AccessGeneration = generation;
        }
        catch
        {
            // A fault in the owner: nothing of this watch may stay behind.
            forget();
            await LeaveAsync(watch);
            throw;
        }

        if (open.Value is not { } opened)
        {
            forget();
            await LeaveAsync(watch);
            return open;
        }

        watch.Audience = opened.Audience;
        var joined = new TaskCompletionSource<FeedPosition>(TaskCreationOptions.RunContinuationsAsynchronously);
        attached.Enqueue(new FeedWork.Join(watch, joined));
        var relayed = await joined.Task;
        if (watch.Closed)
        {
            return open;
        }

        CheckIfMoved(watch, watch.AccessGeneration);

        if (relayed.Epoch != FeedPosition.AnyEpoch && relayed.Epoch != opened.Epoch)
        {
            // The owner started a new epoch between its answer and the join: the answer belongs to
            // the old one, so the watcher starts from the new epoch's snapshot.
            return await ReadAsync(route, feed, watch.UserId, null, opened.Audience, relayed.Epoch, limit);
        }

        if (relayed.Seq <= opened.Seq)
        {
            return open;
        }

        // The pump relayed newer changes before the watcher joined: read what lies between (or, for
        // a snapshot, a newer snapshot), so a reply never mixes a snapshot with changes after it.
        var more = await ReadAsync(route, feed, watch.UserId, opened.Reset ? null : opened.Seq, opened.Audience, opened.Epoch, limit);
        return more.Value is not { } next ? more
            : next.Reset ? next
            : opened with { Seq = next.Seq, Changes = opened.Changes.AddRange(next.Changes), More = next.More };
    }

    private async Task<RelayedFeed> AttachAsync(IFeedRoute route, FeedId id)
    {
        RelayedFeed feed;
        lock (_lock)
        {
            if (!_feeds.TryGetValue(id, out feed!))
            {
                feed = new RelayedFeed(id, route, route.Owner(_grains, id.Key), _options.QueueLimit);
                _feeds[id] = feed;
                feed.Subscribed = SubscribeAfterAsync(_leaving.GetValueOrDefault(id), feed);
                // The pump serves every watcher of the feed for its life: it runs outside the flow of the
                // first subscriber's call, or the reads its deliveries lead to (a page re-reading after a
                // reset) would carry that subscriber's audit mark (their client and connection).
                using (ExecutionContext.SuppressFlow())
                {
                    _ = Task.Run(() => PumpAsync(feed));
                }
            }

            feed.Refs++;
        }

        try
        {
            await feed.Subscribed;
        }
        catch
        {
            Release(feed);
            throw;
        }

        return feed;
    }

    private async Task SubscribeAfterAsync(Task? leaving, RelayedFeed feed)
    {
        if (leaving is not null)
        {
            await leaving.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        var position = await feed.Owner.SubscribeAsync(feed.Id.Kind, Reference());
        feed.Enqueue(new FeedWork.Check(position));
    }

    private async Task LeaveAsync(FeedWatch watch)
    {
        if (Interlocked.Exchange(ref watch.ClosedFlag, 1) != 0)
        {
            return;
        }

        if (watch.Feed is { } feed)
        {
            // Answered only once the pump removed the watch: after this, nothing reaches it.
            var left = new TaskCompletionSource<FeedPosition>(TaskCreationOptions.RunContinuationsAsynchronously);
            feed.Enqueue(new FeedWork.Leave(watch, left));
            await left.Task;
            ReleaseOnce(watch);
        }
    }

    private void ReleaseOnce(FeedWatch watch)
    {
        if (watch.Feed is { } feed && Interlocked.Exchange(ref watch.ReleasedFlag, 1) == 0)
        {
            Release(feed);
        }
    }

    private void Release(RelayedFeed feed)
    {
        lock (_lock)
        {
            if (--feed.Refs > 0 || !_feeds.TryGetValue(feed.Id, out var current) || !ReferenceEquals(current, feed))
            {
                return;
            }

            _feeds.Remove(feed.Id);
            feed.Complete();
            var leaving = UnsubscribeAfterAsync(feed);
            _leaving[feed.Id] = leaving;
            _ = ForgetWhenDoneAsync(feed.Id, leaving);
        }
    }

    private async Task UnsubscribeAfterAsync(RelayedFeed feed)
    {
        // Never unsubscribe before the subscription itself has landed.
        await feed.Subscribed.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing | ConfigureAwaitOptions.ForceYielding);
        try
        {
            await feed.Owner.UnsubscribeAsync(feed.Id.Kind, Reference());
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The owner forgets an unrenewed observer by itself.
            LogUnsubscribeFailed(ex, feed.Id.ToString());
        }
    }

    private async Task ForgetWhenDoneAsync(FeedId id, Task leaving)
    {
        await leaving.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        lock (_lock)
        {
            if (_leaving.TryGetValue(id, out var current) && ReferenceEquals(current, leaving))
            {
                _leaving.Remove(id);
            }
        }
    }

    private sealed class LocalWatch(FeedRelay relay, FeedWatch watch) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await relay.LeaveAsync(watch);
    }
}
