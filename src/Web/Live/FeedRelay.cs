using System.Collections.Frozen;
using System.Collections.Immutable;
using System.Threading.Channels;
using Huddle.Contracts.Common;
using Huddle.Contracts.Live;
using Huddle.Web.Http;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace Huddle.Web.Live;

/// <summary>
/// The one live path of this web host, for every feature. For each feed that anyone on this host
/// watches, the relay is the owner grain's one observer (however many watchers), numbers what it
/// relays, repairs gaps with <c>ReadSince</c>, and fans each change out to the SignalR group of each
/// audience and to the Blazor components watching it. It is also the only registry of who watches
/// what: hub connections and components open and close feeds here, and a roster change moves or
/// drops them here, before anything else of that feed goes out.
/// <para>
/// Each feed has its own ordered queue and pump, so a slow regroup or catch-up of one feed never
/// delays another; sends are started, never awaited, so a slow client cannot hold up the pump, and
/// both the queue and the unfinished sends are bounded (<see cref="FeedRelayOptions"/>).
/// </para>
/// </summary>
public sealed partial class FeedRelay : IFeedObserver
{
    private readonly IGrainFactory _grains;
    private readonly IHubContext<HuddleHub, IHuddleClient> _hub;
    private readonly FrozenDictionary<string, IFeedRoute> _routes;
    private readonly FeedRelayOptions _options;
    private readonly ILogger<FeedRelay> _logger;
    private readonly Lock _lock = new();
    private readonly Dictionary<FeedId, Feed> _feeds = [];

    // Unsubscribes still in flight, by feed: a new subscription waits for them, or the late
    // unsubscribe could land after it at the owner and silently stop the feed.
    private readonly Dictionary<FeedId, Task> _leaving = [];
    private readonly Dictionary<string, HubConnectionWatches> _connections = new(StringComparer.Ordinal);
    private IFeedObserver? _reference;

    public FeedRelay(IGrainFactory grains, IHubContext<HuddleHub, IHuddleClient> hub, IEnumerable<IFeedRoute> routes,
        IOptions<FeedRelayOptions> options, ILogger<FeedRelay> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _grains = grains;
        _hub = hub;
        _routes = routes.ToFrozenDictionary(r => r.Kind, StringComparer.Ordinal);
        _options = options.Value;
        _logger = logger;
    }

    /// <summary>Feeds this host currently relays.</summary>
    public int ActiveFeeds
    {
        get
        {
            lock (_lock)
            {
                return _feeds.Count;
            }
        }
    }

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
    /// user in an audience and returns what they missed since <paramref name="since"/> (or the
    /// snapshot); the connection then receives every later change of its audience, with no gap
    /// between the two. Opening a feed the connection already watches only reads again.
    /// </summary>
    public async Task<Result<FeedOpen>> OpenAsync(FeedId feed, HubWatcher watcher, long? since, string? audience = null,
        long epoch = FeedPosition.AnyEpoch, int limit = 0)
    {
        ArgumentNullException.ThrowIfNull(watcher);
        var route = RouteOf(feed);
        HubConnectionWatches connection;
        Watch watch;
        var register = false;
        Watch? evicted = null;
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
                watch = new Watch(watcher.ConnectionId, watcher.UserId, audience, null);
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
        Watch? watch = null;
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
        List<Watch> watches;
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
    /// post it to the component's renderer). Dispose the watch to stop.
    /// </summary>
    public async Task<(Result<FeedOpen> Open, IAsyncDisposable? Watch)> OpenLocalAsync(FeedId feed, string userId, long? since, string? audience,
        Action<object> onPayload, long epoch = FeedPosition.AnyEpoch, int limit = 0)
    {
        var route = RouteOf(feed);
        var watch = new Watch(null, userId, audience, onPayload);
        var open = await OpenWatchAsync(route, feed, watch, since, audience, epoch, limit, static () => { });
        return (open, open.Ok ? new LocalWatch(this, watch) : null);
    }

    /// <summary>What <paramref name="userId"/> missed since <paramref name="since"/> (or the snapshot), without watching: the catch-up read.</summary>
    public Task<Result<FeedOpen>> ReadAsync(FeedId feed, string userId, long? since, string? audience = null,
        long epoch = FeedPosition.AnyEpoch, int limit = 0) =>
        ReadAsync(RouteOf(feed), feed, userId, since, audience, epoch, limit);

    /// <summary>Renews every feed's subscription; called periodically by <see cref="FeedRelayRenewal"/>.</summary>
    public async Task RenewAsync()
    {
        Feed[] feeds;
        lock (_lock)
        {
            feeds = [.. _feeds.Values];
        }

        // In parallel: one unreachable owner must not delay the others past their expiry.
        await Task.WhenAll(feeds.Select(async feed =>
        {
            try
            {
                var position = await feed.Owner.SubscribeAsync(feed.Id.Kind, Reference());
                feed.Enqueue(new Work.Check(position.Seq));
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogRenewFailed(ex, feed.Id.ToString());
            }
        }));
    }

    /// <inheritdoc />
    public Task OnFeedChanged(FeedChange change)
    {
        ArgumentNullException.ThrowIfNull(change);
        Feed? feed;
        lock (_lock)
        {
            feed = _feeds.GetValueOrDefault(change.Feed);
        }

        // Straight onto the feed's own queue: this runs on Orleans' scheduler, which must not wait
        // for sends, and the feed's pump puts it in order.
        feed?.Enqueue(new Work.Deliver(change));
        return Task.CompletedTask;
    }

    private IFeedRoute RouteOf(FeedId feed) =>
        _routes.TryGetValue(feed.Kind, out var route) ? route : throw new ArgumentException($"No route serves feeds of kind '{feed.Kind}'.", nameof(feed));

    private async Task<Result<FeedOpen>> ReadAsync(IFeedRoute route, FeedId feed, string userId, long? since, string? audience,
        long epoch = FeedPosition.AnyEpoch, int limit = 0)
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
    /// added, so the watcher has everything up to the seq from which its stream continues.
    /// </summary>
    private async Task<Result<FeedOpen>> OpenWatchAsync(IFeedRoute route, FeedId feed, Watch watch, long? since, string? audience,
        long epoch, int limit, Action forget)
    {
        Feed attached;
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
            open = await ReadAsync(route, feed, watch.UserId, since, audience, epoch, limit);
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
        var joined = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        attached.Enqueue(new Work.Join(watch, joined));
        var relayed = await joined.Task;
        if (relayed <= opened.Seq || watch.Closed)
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

    private async Task<Feed> AttachAsync(IFeedRoute route, FeedId id)
    {
        Feed feed;
        lock (_lock)
        {
            if (!_feeds.TryGetValue(id, out feed!))
            {
                feed = new Feed(id, route, route.Owner(_grains, id.Key), _options.QueueLimit);
                _feeds[id] = feed;
                feed.Subscribed = SubscribeAfterAsync(_leaving.GetValueOrDefault(id), feed);
                _ = Task.Run(() => PumpAsync(feed));
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

    private async Task SubscribeAfterAsync(Task? leaving, Feed feed)
    {
        if (leaving is not null)
        {
            await leaving.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        var position = await feed.Owner.SubscribeAsync(feed.Id.Kind, Reference());
        feed.Enqueue(new Work.Check(position.Seq));
    }

    private async Task LeaveAsync(Watch watch)
    {
        if (Interlocked.Exchange(ref watch.ClosedFlag, 1) != 0)
        {
            return;
        }

        if (watch.Feed is { } feed)
        {
            var left = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
            feed.Enqueue(new Work.Leave(watch, left));
            await left.Task;
            ReleaseOnce(watch);
        }
    }

    private void ReleaseOnce(Watch watch)
    {
        if (watch.Feed is { } feed && Interlocked.Exchange(ref watch.ReleasedFlag, 1) == 0)
        {
            Release(feed);
        }
    }

    private void Release(Feed feed)
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

    private async Task UnsubscribeAfterAsync(Feed feed)
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

    private IFeedObserver Reference()
    {
        // Created on first use: the Orleans runtime is not up yet when the relay is constructed.
        lock (_lock)
        {
            return _reference ??= _grains.CreateObjectReference<IFeedObserver>(this);
        }
    }

    /// <summary>One feed's work, in order, on the default scheduler.</summary>
    private async Task PumpAsync(Feed feed)
    {
        await foreach (var work in feed.Reader.ReadAllAsync())
        {
            try
            {
                switch (work)
                {
                    case Work.Deliver deliver:
                        await DeliverAsync(feed, deliver.Change);
                        break;
                    case Work.Check check when check.Seq > feed.LastSeq:
                        await CatchUpAsync(feed, feed.LastSeq < 0 ? "subscribe" : "renewal", check.Seq);
                        break;
                    case Work.Check check when check.Seq < feed.LastSeq:
                        // The owner is behind what this host relayed: its state went back (in-memory
                        // state lost with a silo). Everyone re-reads, and the stream restarts there.
                        LogReset(feed.Id.ToString(), check.Seq, "owner went back");
                        feed.LastSeq = check.Seq;
                        await ResetAllAsync(feed, check.Seq, "owner went back");
                        break;
                    case Work.Check:
                        break;
                    case Work.Join join:
                        await JoinAsync(feed, join.Watch);
                        join.Done.TrySetResult(feed.LastSeq);
                        break;
                    case Work.Leave leave:
                        await RemoveAsync(feed, leave.Watch);
                        leave.Done.TrySetResult(feed.LastSeq);
                        break;
                    case Work.Drained:
                        await ResetAllAsync(feed, feed.LastSeq, "slow consumer");
                        break;
                }

                if (feed.TakeOverflow())
                {
                    // Changes were dropped while the queue was full: fetch them again, or reset.
                    await CatchUpAsync(feed, "overflow", long.MaxValue);
                }
            }
            catch (Exception ex)
            {
                // One failure must not stop this feed's pump.
                LogPumpFailed(ex, feed.Id.ToString());
                (work as Work.Join)?.Done.TrySetResult(feed.LastSeq);
                (work as Work.Leave)?.Done.TrySetResult(feed.LastSeq);
            }
        }
    }

    private async Task DeliverAsync(Feed feed, FeedChange change)
    {
        if (feed.LastSeq < 0)
        {
            // Arrived before the subscribe call returned: it starts the stream.
            await DispatchAsync(feed, change);
        }
        else if (change.Seq == feed.LastSeq + 1)
        {
            await DispatchAsync(feed, change);
        }
        else if (change.Seq > feed.LastSeq + 1)
        {
            await CatchUpAsync(feed, "gap", change.Seq);
        }
    }

    /// <summary>Reads from the owner what this host has not relayed (up to at least <paramref name="target"/>) and relays it, or resets.</summary>
    private async Task CatchUpAsync(Feed feed, string reason, long target)
    {
        if (feed.LastSeq < 0)
        {
            // Nothing was relayed yet: the stream simply starts here.
            feed.LastSeq = target;
            return;
        }

        try
        {
            var missed = await feed.Owner.ReadSinceAsync(feed.Id.Kind, feed.LastSeq);
            if (missed.Reset)
            {
                LogReset(feed.Id.ToString(), missed.Seq, reason);
                await ResetAllAsync(feed, missed.Seq, reason);
                return;
            }

            foreach (var change in missed.Changes)
            {
                if (change.Seq == feed.LastSeq + 1)
                {
                    await DispatchAsync(feed, change);
                }
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The owner cannot say what was missed: every watcher re-reads.
            LogCatchUpFailed(ex, feed.Id.ToString());
            await ResetAllAsync(feed, target == long.MaxValue ? feed.LastSeq : target, reason);
        }
    }

    private async Task DispatchAsync(Feed feed, FeedChange change)
    {
        if (change.Roster is { } roster)
        {
            await RegroupAsync(feed, roster, change.Seq);
        }

        feed.LastSeq = change.Seq;
        var groups = 0;
        foreach (var delivery in change.Deliveries)
        {
            // An audience nobody on this host is in costs nothing: no group send at all.
            if (feed.HubAudiences.GetValueOrDefault(delivery.Audience) > 0)
            {
                Send(feed, delivery.Audience, delivery.Payload);
                groups++;
            }
        }

        // Components only: a board with a thousand hub connections is not walked once per change.
        foreach (var watch in feed.Locals)
        {
            if (change.For(watch.Audience!) is { } payload)
            {
                Hand(feed, watch.OnPayload!, payload);
            }
        }

        HuddleTelemetry.Relayed(feed.Id.Kind, groups + feed.Locals.Count);
    }

    /// <summary>Tells every watcher of the feed to re-read, at <paramref name="seq"/>.</summary>
    private Task ResetAllAsync(Feed feed, long seq, string reason)
    {
        feed.LastSeq = Math.Max(feed.LastSeq, seq);
        var reset = feed.Route.ResetPayload(feed.Id, feed.LastSeq, reason);
        foreach (var (audience, _) in feed.HubAudiences.Where(a => a.Value > 0).ToList())
        {
            Send(feed, audience, reset, force: true);
        }

        foreach (var watch in feed.Locals)
        {
            Hand(feed, watch.OnPayload!, reset);
        }

        return Task.CompletedTask;
    }

    /// <summary>
    /// The roster changed: watchers whose user lost access get one last "re-read" (which they are
    /// refused) and leave; a watcher whose audience changed moves. Runs before the change is sent,
    /// so nobody removed receives it.
    /// </summary>
    private async Task RegroupAsync(Feed feed, FeedRoster roster, long seq)
    {
        foreach (var watch in feed.Watches.ToList())
        {
            if (!watch.Joined)
            {
                continue;
            }

            var allowed = roster.AudienceOf(watch.UserId);
            // A watcher that asked for its audience (a member on the wall view) keeps it while the
            // roster keeps them at all; otherwise it follows the roster.
            var next = allowed is null ? null : watch.Requested ?? allowed;
            if (next == watch.Audience)
            {
                continue;
            }

            if (next is null)
            {
                var reset = feed.Route.ResetPayload(feed.Id, seq, "roster");
                if (watch.ConnectionId is { } connectionId)
                {
                    Observe(feed.Route.SendAsync(_hub.Clients.Client(connectionId), reset), feed.Id);
                    await _hub.Groups.RemoveFromGroupAsync(connectionId, GroupOf(feed.Id, watch.Audience!));
                }
                else if (watch.OnPayload is { } local)
                {
                    Hand(feed, local, reset);
                }

                lock (_lock)
                {
                    feed.Watches.Remove(watch);
                }

                feed.Locals.Remove(watch);
                feed.CountHub(watch, -1);
                watch.Joined = false;
                watch.Evicted = true;
                continue;
            }

            if (watch.ConnectionId is { } id)
            {
                await _hub.Groups.RemoveFromGroupAsync(id, GroupOf(feed.Id, watch.Audience!));
                await _hub.Groups.AddToGroupAsync(id, GroupOf(feed.Id, next));
            }

            feed.CountHub(watch, -1);
            watch.Audience = next;
            feed.CountHub(watch, +1);
        }
    }

    private async Task JoinAsync(Feed feed, Watch watch)
    {
        if (watch.Closed)
        {
            return;
        }

        if (watch.ConnectionId is { } connectionId)
        {
            await _hub.Groups.AddToGroupAsync(connectionId, GroupOf(feed.Id, watch.Audience!));
        }

        watch.Joined = true;
        lock (_lock)
        {
            feed.Watches.Add(watch);
        }

        if (watch.OnPayload is not null)
        {
            feed.Locals.Add(watch);
        }

        feed.CountHub(watch, +1);
    }

    private async Task RemoveAsync(Feed feed, Watch watch)
    {
        bool wasJoined;
        lock (_lock)
        {
            wasJoined = feed.Watches.Remove(watch) && watch.Joined;
        }

        feed.Locals.Remove(watch);

        watch.Joined = false;
        if (wasJoined)
        {
            feed.CountHub(watch, -1);
        }

        if (wasJoined && watch.ConnectionId is { } connectionId)
        {
            await _hub.Groups.RemoveFromGroupAsync(connectionId, GroupOf(feed.Id, watch.Audience!));
        }
    }

    /// <summary>Starts a send to an audience's group, within the feed's bound on unfinished sends.</summary>
    private void Send(Feed feed, string audience, object payload, bool force = false)
    {
        if (!force && !feed.TryStartSend(_options.MaxPendingSends))
        {
            return;
        }

        if (force)
        {
            Interlocked.Increment(ref feed.PendingSends);
        }

        var send = feed.Route.SendAsync(_hub.Clients.Group(GroupOf(feed.Id, audience)), payload);
        if (send.IsCompleted)
        {
            SendDone(feed, send);
        }
        else
        {
            send.ContinueWith((t, state) => SendDone((Feed)state!, t), feed, CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    private void SendDone(Feed feed, Task send)
    {
        if (send.IsFaulted)
        {
            LogSendFailed(send.Exception!, feed.Id.ToString());
        }

        if (feed.EndSend())
        {
            LogSlowConsumer(feed.Id.ToString());
            feed.Enqueue(new Work.Drained());
        }
    }

    private void Hand(Feed feed, Action<object> local, object payload)
    {
        try
        {
            local(payload);
        }
        catch (Exception ex)
        {
            LogListenerFailed(ex, feed.Id.ToString());
        }
    }

    private void Observe(Task send, FeedId feed)
    {
        if (!send.IsCompletedSuccessfully)
        {
            send.ContinueWith((t, state) => LogSendFailed(t.Exception!, (string)state!), feed.ToString(), CancellationToken.None,
                TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    /// <summary>The SignalR group of one audience of one feed: <c>board:team-maple|members</c>.</summary>
    public static string GroupOf(FeedId feed, string audience) => $"{feed}|{audience}";

    [LoggerMessage(Level = LogLevel.Warning, Message = "Renewing feed {Feed} failed; retrying at the next renewal")]
    private partial void LogRenewFailed(Exception ex, string feed);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Opening feed {Feed} failed")]
    private partial void LogOpenFailed(Exception ex, string feed);

    [LoggerMessage(Level = LogLevel.Information, Message = "Unsubscribing from feed {Feed} failed; the owner forgets it when unrenewed")]
    private partial void LogUnsubscribeFailed(Exception ex, string feed);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Relaying a change of feed {Feed} failed")]
    private partial void LogSendFailed(Exception ex, string feed);

    [LoggerMessage(Level = LogLevel.Error, Message = "The relay's pump for feed {Feed} failed on one item")]
    private partial void LogPumpFailed(Exception ex, string feed);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Catching up feed {Feed} failed: watchers told to re-read")]
    private partial void LogCatchUpFailed(Exception ex, string feed);

    [LoggerMessage(Level = LogLevel.Error, Message = "A local watcher of feed {Feed} threw")]
    private partial void LogListenerFailed(Exception ex, string feed);

    [LoggerMessage(Level = LogLevel.Information, Message = "Feed {Feed} is at seq {Seq}, beyond what its owner still keeps ({Reason}): watchers told to re-read")]
    private partial void LogReset(string feed, long seq, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Feed {Feed} had too many unfinished sends (a slow consumer): changes were held back and watchers told to re-read")]
    private partial void LogSlowConsumer(string feed);

    /// <summary>One watcher of a feed: a hub connection or a component.</summary>
    private sealed class Watch(string? connectionId, string userId, string? requested, Action<object>? onPayload)
    {
        public int ClosedFlag;
        public int ReleasedFlag;
        private Feed? _feed;
        private volatile bool _evicted;

        public string? ConnectionId { get; } = connectionId;
        public string UserId { get; } = userId;
        public string? Requested { get; } = requested;
        public Action<object>? OnPayload { get; } = onPayload;
        public string? Audience { get; set; }
        public Feed? Feed
        {
            get => Volatile.Read(ref _feed);
            set => Volatile.Write(ref _feed, value);
        }

        /// <summary>Dropped by a roster change: a new open must start a new watch.</summary>
        public bool Evicted
        {
            get => _evicted;
            set => _evicted = value;
        }

        /// <summary>Set on the feed's pump only.</summary>
        public bool Joined { get; set; }

        public bool Closed => Volatile.Read(ref ClosedFlag) != 0;
    }

    private sealed class HubConnectionWatches(string userId)
    {
        public string UserId { get; } = userId;
        public Dictionary<FeedId, Watch> Feeds { get; } = [];
        public bool Closed { get; set; }
        public CancellationTokenRegistration Registration { get; set; }
    }

    private sealed class LocalWatch(FeedRelay relay, Watch watch) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await relay.LeaveAsync(watch);
    }

    private abstract record Work
    {
        public sealed record Deliver(FeedChange Change) : Work;

        public sealed record Check(long Seq) : Work;

        public sealed record Join(Watch Watch, TaskCompletionSource<long> Done) : Work;

        public sealed record Leave(Watch Watch, TaskCompletionSource<long> Done) : Work;

        public sealed record Drained : Work;
    }

    private sealed class Feed
    {
        private readonly Channel<Work> _queue;
        private int _overflow;
        private int _heldBack;

        public int PendingSends;

        public Feed(FeedId id, IFeedRoute route, IFeedGrain owner, int queueLimit)
        {
            Id = id;
            Route = route;
            Owner = owner;
            _queue = Channel.CreateBounded<Work>(
                new BoundedChannelOptions(Math.Max(1, queueLimit)) { SingleReader = true, FullMode = BoundedChannelFullMode.DropWrite },
                dropped =>
                {
                    // A dropped join or leave must still be answered; a dropped change is fetched again.
                    Interlocked.Exchange(ref _overflow, 1);
                    (dropped as Work.Join)?.Done.TrySetResult(LastSeq);
                    (dropped as Work.Leave)?.Done.TrySetResult(LastSeq);
                });
        }

        public FeedId Id { get; }
        public IFeedRoute Route { get; }
        public IFeedGrain Owner { get; }
        public int Refs { get; set; }
        public Task Subscribed { get; set; } = Task.CompletedTask;
        public List<Watch> Watches { get; } = [];

        /// <summary>The joined components among <see cref="Watches"/> (they are handed each change). Pump only.</summary>
        public List<Watch> Locals { get; } = [];

        /// <summary>Joined hub connections per audience. Pump only.</summary>
        public Dictionary<string, int> HubAudiences { get; } = new(StringComparer.Ordinal);

        public void CountHub(Watch watch, int delta)
        {
            if (watch.ConnectionId is not null && watch.Audience is { } audience)
            {
                HubAudiences[audience] = HubAudiences.GetValueOrDefault(audience) + delta;
            }
        }

        /// <summary>The seq of the newest change relayed; -1 until the first is known. Pump only.</summary>
        public long LastSeq { get; set; } = -1;

        public ChannelReader<Work> Reader => _queue.Reader;

        public void Enqueue(Work work)
        {
            if (!_queue.Writer.TryWrite(work))
            {
                // Completed: the feed is gone. Anyone waiting is answered.
                (work as Work.Join)?.Done.TrySetResult(LastSeq);
                (work as Work.Leave)?.Done.TrySetResult(LastSeq);
            }
        }

        public void Complete() => _queue.Writer.TryComplete();

        public bool TakeOverflow() => Interlocked.Exchange(ref _overflow, 0) != 0;

        public bool TryStartSend(int max)
        {
            if (Interlocked.Increment(ref PendingSends) > max)
            {
                Interlocked.Decrement(ref PendingSends);
                Interlocked.Exchange(ref _heldBack, 1);
                return false;
            }

            return true;
        }

        /// <summary>Ends a send; true when it was the last one and changes were held back meanwhile.</summary>
        public bool EndSend() => Interlocked.Decrement(ref PendingSends) == 0 && Interlocked.Exchange(ref _heldBack, 0) != 0;
    }
}
