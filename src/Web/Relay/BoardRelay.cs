using System.Collections.Immutable;
using System.Threading.Channels;
using Huddle.Grains.CareTeams;
using Huddle.Web.Hubs;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace Huddle.Web.Relay;

/// <summary>Relay tunables.</summary>
public sealed class BoardRelayOptions
{
    /// <summary>
    /// How often each live subscription is renewed at its grain. Well inside the grain's observer
    /// expiry (3 min), and short enough that a grain re-activated elsewhere (silo restart,
    /// rebalancing) is found again quickly.
    /// </summary>
    public TimeSpan RenewEvery { get; set; } = TimeSpan.FromSeconds(30);
}

/// <summary>
/// The one grain observer of this web host. A team's grain knows only this host, once, however many
/// of the host's clients watch the board; the relay fans each change out locally to SignalR groups
/// and to Blazor components. Sends are started, never awaited, so a slow client cannot hold up the
/// relay or, through it, the grain.
/// </summary>
public sealed partial class BoardRelay(
    IGrainFactory grains,
    IHubContext<HuddleHub, IHuddleClient> hub,
    ILogger<BoardRelay> logger) : IBoardObserver
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Feed> _feeds = new(StringComparer.Ordinal);

    // Unsubscribes still in flight, by team: a new subscription waits for them, or the late
    // unsubscribe could land after it at the grain and silently stop the feed.
    private readonly Dictionary<string, Task> _leaving = new(StringComparer.Ordinal);
    private readonly Channel<BoardNotice> _outbox = Channel.CreateUnbounded<BoardNotice>(new() { SingleReader = true });
    private IBoardObserver? _reference;
    private int _pumping;

    /// <summary>
    /// Ensures this host is subscribed to <paramref name="teamId"/> and registers an optional local
    /// <paramref name="listener"/>. Dispose the result to detach; the last detach unsubscribes.
    /// </summary>
    public async Task<IAsyncDisposable> AttachAsync(string teamId, Action<BoardNotice>? listener = null)
    {
        Feed feed;
        lock (_lock)
        {
            if (!_feeds.TryGetValue(teamId, out feed!))
            {
                feed = new Feed(teamId);
                _feeds[teamId] = feed;
                feed.Subscribed = SubscribeAfterAsync(_leaving.GetValueOrDefault(teamId), teamId);
            }

            feed.Count++;
            if (listener is not null)
            {
                feed.Listeners = feed.Listeners.Add(listener);
            }
        }

        var attachment = new Attachment(this, feed, listener);
        try
        {
            await feed.Subscribed;
        }
        catch
        {
            await attachment.DisposeAsync();
            throw;
        }

        return attachment;
    }

    /// <summary>Renews every live subscription; called periodically by <see cref="BoardRelayRenewal"/>.</summary>
    public async Task RenewAsync()
    {
        string[] teams;
        lock (_lock)
        {
            teams = [.. _feeds.Keys];
        }

        foreach (var teamId in teams)
        {
            try
            {
                await SubscribeAsync(teamId);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogRenewFailed(ex, teamId);
            }
        }
    }

    /// <summary>Teams this host currently relays (for diagnostics and tests).</summary>
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

    /// <inheritdoc />
    public Task OnBoardChanged(BoardNotice notice)
    {
        ArgumentNullException.ThrowIfNull(notice);
        var teamId = notice.Full.TeamId;

        // The SignalR fan-out leaves the Orleans turn: this callback runs on the observer's Orleans
        // scheduler, and SignalR's send path (pipe flush, WebSocket send) would otherwise capture it,
        // serialising every connection's sends behind one another. One pump keeps changes in order.
        _outbox.Writer.TryWrite(notice);
        if (Interlocked.CompareExchange(ref _pumping, 1, 0) == 0)
        {
            _ = Task.Factory.StartNew(PumpAsync, CancellationToken.None, TaskCreationOptions.DenyChildAttach, TaskScheduler.Default).Unwrap();
        }

        ImmutableArray<Action<BoardNotice>> listeners;
        lock (_lock)
        {
            listeners = _feeds.TryGetValue(teamId, out var feed) ? feed.Listeners : [];
        }

        foreach (var listener in listeners)
        {
            try
            {
                listener(notice);
            }
            catch (Exception ex)
            {
                LogListenerFailed(ex, teamId);
            }
        }

        return Task.CompletedTask;
    }

    private async Task SubscribeAfterAsync(Task? leaving, string teamId)
    {
        if (leaving is not null)
        {
            await leaving.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }

        await SubscribeAsync(teamId);
    }

    /// <summary>Sends queued changes to their SignalR groups, in arrival order, on the default scheduler.</summary>
    private async Task PumpAsync()
    {
        await foreach (var notice in _outbox.Reader.ReadAllAsync())
        {
            var teamId = notice.Full.TeamId;
            try
            {
                Observe(hub.Clients.Group(HuddleGroups.Board(teamId)).BoardChanged(notice.Full), teamId);
                Observe(hub.Clients.Group(HuddleGroups.Screen(teamId)).BoardChanged(notice.SharedScreen), teamId);
            }
            catch (Exception ex)
            {
                // One failed send must not stop the pump for every other team.
                LogSendFailed(ex, teamId);
            }
        }
    }

    private Task SubscribeAsync(string teamId) => grains.GetGrain<ICareTeamGrain>(teamId).SubscribeAsync(Reference());

    private IBoardObserver Reference()
    {
        // Created on first use: the Orleans runtime is not up yet when the relay is constructed.
        lock (_lock)
        {
            return _reference ??= grains.CreateObjectReference<IBoardObserver>(this);
        }
    }

    private void Detach(Feed feed, Action<BoardNotice>? listener)
    {
        lock (_lock)
        {
            if (listener is not null)
            {
                feed.Listeners = feed.Listeners.Remove(listener);
            }

            if (--feed.Count > 0 || !_feeds.TryGetValue(feed.TeamId, out var current) || !ReferenceEquals(current, feed))
            {
                return;
            }

            _feeds.Remove(feed.TeamId);
            var leaving = UnsubscribeAfterAsync(feed);
            _leaving[feed.TeamId] = leaving;
            Observe(leaving, feed.TeamId);
            leaving.ContinueWith(
                (done, state) =>
                {
                    var teamId = (string)state!;
                    lock (_lock)
                    {
                        if (_leaving.TryGetValue(teamId, out var current) && ReferenceEquals(current, done))
                        {
                            _leaving.Remove(teamId);
                        }
                    }
                },
                feed.TeamId,
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
        }
    }

    private async Task UnsubscribeAfterAsync(Feed feed)
    {
        // Never unsubscribe before the subscription itself has landed.
        await feed.Subscribed.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        await grains.GetGrain<ICareTeamGrain>(feed.TeamId).UnsubscribeAsync(Reference());
    }

    private void Observe(Task send, string teamId)
    {
        if (send.IsCompletedSuccessfully)
        {
            return;
        }

        send.ContinueWith(
            (t, state) => LogSendFailed(t.Exception!, (string)state!),
            teamId,
            CancellationToken.None,
            TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Renewing the board subscription for team {TeamId} failed; retrying at the next renewal")]
    private partial void LogRenewFailed(Exception ex, string teamId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Relaying a change of team {TeamId} failed")]
    private partial void LogSendFailed(Exception ex, string teamId);

    [LoggerMessage(Level = LogLevel.Error, Message = "A local board listener for team {TeamId} threw")]
    private partial void LogListenerFailed(Exception ex, string teamId);

    private sealed class Feed(string teamId)
    {
        public string TeamId { get; } = teamId;
        public int Count { get; set; }
        public ImmutableArray<Action<BoardNotice>> Listeners { get; set; } = [];
        public Task Subscribed { get; set; } = Task.CompletedTask;
    }

    private sealed class Attachment(BoardRelay relay, Feed feed, Action<BoardNotice>? listener) : IAsyncDisposable
    {
        private int _disposed;

        public ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                relay.Detach(feed, listener);
            }

            return ValueTask.CompletedTask;
        }
    }
}

/// <summary>Renews the relay's subscriptions well before the grains forget them.</summary>
public sealed class BoardRelayRenewal(BoardRelay relay, IOptions<BoardRelayOptions> options) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.RenewEvery);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            await relay.RenewAsync();
        }
    }
}

public static class BoardRelayExtensions
{
    public static IServiceCollection AddHuddleRelay(this IServiceCollection services, IConfiguration config)
    {
        services.Configure<BoardRelayOptions>(config.GetSection("Huddle:Relay"));
        services.AddSingleton<BoardRelay>();
        services.AddHostedService<BoardRelayRenewal>();
        return services;
    }
}
