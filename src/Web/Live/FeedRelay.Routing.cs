using Huddle.Contracts.Live;
using Huddle.Contracts.Common;

namespace Huddle.Web.Live;

/// <summary>
/// Routing: how a change reaches watchers. Each audience's payload goes to the SignalR group of that
/// audience (<see cref="GroupOf"/>), once, however many connections are in it, and to each component
/// watching in that audience; a roster change moves or drops watchers first. Sends are started,
/// never awaited, within the feed's bound on unfinished sends.
/// </summary>
public sealed partial class FeedRelay
{
    private async Task DispatchAsync(RelayedFeed feed, FeedChange change)
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
                _ = Send(feed, delivery.Audience, delivery.Payload);
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

    /// <summary>
    /// Sends a hint to the watchers of one audience as they stand now: the audience's group (when a hub
    /// connection of this host is in it) and each component in it. The stream's seq does not move.
    /// Returns the group's send (done at once when there is none).
    /// </summary>
    private Task Hint(RelayedFeed feed, string audience, object payload)
    {
        var sent = feed.HubAudiences.GetValueOrDefault(audience) > 0 ? Send(feed, audience, payload) : Task.CompletedTask;
        foreach (var watch in feed.Locals)
        {
            if (watch.Audience == audience)
            {
                Hand(feed, watch.OnPayload!, payload);
            }
        }

        return sent;
    }

    /// <summary>Tells every watcher of the feed to re-read, at <paramref name="seq"/>.</summary>
    private Task ResetAllAsync(RelayedFeed feed, long seq, string reason)
    {
        var reset = feed.Route.ResetPayload(feed.Id, seq, reason);
        foreach (var (audience, _) in feed.HubAudiences.Where(a => a.Value > 0).ToList())
        {
            _ = Send(feed, audience, reset, force: true);
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
    private async Task RegroupAsync(RelayedFeed feed, FeedRoster roster, long seq)
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
                await EvictAsync(feed, watch, seq);
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

    /// <summary>
    /// Drops a joined watcher whose user may no longer watch: out of the registry and the group first,
    /// then told to re-read (which they are refused), so whoever acts on the re-read (a client, a test
    /// asserting on the registry) finds the watcher already gone. On the feed's pump.
    /// </summary>
    private async Task EvictAsync(RelayedFeed feed, FeedWatch watch, long seq)
    {
        if (!watch.Joined || watch.Closed)
        {
            return;
        }

        lock (_lock)
        {
            feed.Watches.Remove(watch);
        }

        feed.Locals.Remove(watch);
        feed.CountHub(watch, -1);
        watch.Joined = false;
        watch.Evicted = true;
        var reset = feed.Route.ResetPayload(feed.Id, seq, "roster");
        if (watch.ConnectionId is { } connectionId)
        {
            await _hub.Groups.RemoveFromGroupAsync(connectionId, GroupOf(feed.Id, watch.Audience!));
            Observe(feed.Route.SendAsync(_hub.Clients.Client(connectionId), reset), feed.Id);
        }
        else if (watch.OnPayload is { } local)
        {
            Hand(feed, local, reset);
        }
    }

    private async Task JoinAsync(RelayedFeed feed, FeedWatch watch)
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

    private async Task RemoveAsync(RelayedFeed feed, FeedWatch watch)
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

    /// <summary>Starts a send to an audience's group, within the feed's bound on unfinished sends; returns it (done at once when held back).</summary>
    private Task Send(RelayedFeed feed, string audience, object payload, bool force = false)
    {
        if (!force && !feed.TryStartSend(_options.MaxPendingSends))
        {
            return Task.CompletedTask;
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
            send.ContinueWith((t, state) => SendDone((RelayedFeed)state!, t), feed, CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }

        return send;
    }

    private void SendDone(RelayedFeed feed, Task send)
    {
        if (send.IsFaulted)
        {
            LogSendFailed(send.Exception!, feed.Id.ToString());
        }

        if (feed.EndSend())
        {
            LogSlowConsumer(feed.Id.ToString());
            feed.Enqueue(new FeedWork.Drained());
        }
    }

    private void Hand(RelayedFeed feed, Action<object> local, object payload)
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
}
