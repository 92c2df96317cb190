using System.Collections.Immutable;
using System.Threading.Channels;
using Huddle.Web.Live;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;
using Huddle.Contracts.Boards;
using Huddle.Contracts.CareTeams;
using Huddle.Contracts.Common;

namespace Huddle.Web.Live;

/// <summary>Relay tunables.</summary>
public sealed class BoardRelayOptions
{
    /// <summary>
    /// How often each live subscription is renewed at its grain. Well inside the grain's observer
    /// expiry (3 min), and short enough that a grain re-activated elsewhere (silo restart,
    /// rebalancing, a failed write) is found again quickly; a renewal that finds the board at a
    /// version the relay never saw tells every client to re-read it.
    /// </summary>
    public TimeSpan RenewEvery { get; set; } = TimeSpan.FromSeconds(30);
}

/// <summary>A hub connection watching a board through the relay, with what it may see.</summary>
public sealed record RelayConnection(string ConnectionId, string UserId, TeamAccess Access);

/// <summary>
/// The one grain observer of this web host. A team's grain knows only this host, once, however many
/// of the host's clients watch the board; the relay fans each change out locally to SignalR groups
/// and to Blazor components. Sends are started, never awaited, so a slow client cannot hold up the
/// relay or, through it, the grain. The relay also owns group membership: it puts each hub
/// connection in the members' or the room displays' group, and moves or removes it when the
/// team's roster changes.
/// </summary>
public sealed partial class BoardRelay : IBoardObserver
{
    private readonly IGrainFactory _grains;
    private readonly IHubContext<HuddleHub, IHuddleClient> _hub;
    private readonly HuddleClock _clock;
    private readonly ILogger<BoardRelay> _logger;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Feed> _feeds = new(StringComparer.Ordinal);

    // Unsubscribes still in flight, by team: a new subscription waits for them, or the late
    // unsubscribe could land after it at the grain and silently stop the feed.
    private readonly Dictionary<string, Task> _leaving = new(StringComparer.Ordinal);

    // SignalR sends leave the Orleans turn through one ordered pump: the observer callback runs on
    // Orleans' scheduler, which would otherwise serialise every connection's send behind it.
    private readonly Channel<BoardNotice> _outbox = Channel.CreateUnbounded<BoardNotice>(new() { SingleReader = true });
    private IBoardObserver? _reference;

    public BoardRelay(IGrainFactory grains, IHubContext<HuddleHub, IHuddleClient> hub, HuddleClock clock, ILogger<BoardRelay> logger)
    {
        _grains = grains;
        _hub = hub;
        _clock = clock;
        _logger = logger;
        _ = Task.Run(PumpAsync);
    }

    /// <summary>
    /// Ensures this host is subscribed to <paramref name="teamId"/>, registers an optional local
    /// <paramref name="listener"/> and puts an optional hub <paramref name="connection"/> in the
    /// group its access allows. Dispose the result to detach; the last detach unsubscribes.
    /// </summary>
    public async Task<IAsyncDisposable> AttachAsync(string teamId, Action<BoardNotice>? listener = null, RelayConnection? connection = null)
    {
        Feed feed;
        lock (_lock)
        {
            if (!_feeds.TryGetValue(teamId, out feed!))
            {
                feed = new Feed(teamId);
                _feeds[teamId] = feed;
                feed.Subscribed = SubscribeAfterAsync(_leaving.GetValueOrDefault(teamId), feed);
            }

            feed.Count++;
            if (listener is not null)
            {
                feed.Listeners = feed.Listeners.Add(listener);
            }

            if (connection is not null)
            {
                feed.Connections[connection.ConnectionId] = connection;
            }
        }

        var attachment = new Attachment(this, feed, listener, connection?.ConnectionId);
        try
        {
            await feed.Subscribed;
            if (connection is not null)
            {
                await _hub.Groups.AddToGroupAsync(connection.ConnectionId, GroupOf(teamId, connection.Access));
            }
        }
        catch
        {
            await attachment.DisposeAsync();
            throw;
        }

        return attachment;
    }

    /// <summary>Moves a hub connection to the group <paramref name="access"/> allows (none: out of both).</summary>
    public async Task SetAccessAsync(string teamId, string connectionId, TeamAccess access)
    {
        RelayConnection? before;
        lock (_lock)
        {
            if (!_feeds.TryGetValue(teamId, out var feed) || !feed.Connections.TryGetValue(connectionId, out before) || before.Access == access)
            {
                return;
            }

            feed.Connections[connectionId] = before with { Access = access };
        }

        await RegroupAsync(teamId, connectionId, before.Access, access);
    }

    /// <summary>Renews every live subscription; called periodically by <see cref="BoardRelayRenewal"/>.</summary>
    public async Task RenewAsync()
    {
        Feed[] feeds;
        lock (_lock)
        {
            feeds = [.. _feeds.Values];
        }

        // In parallel: one unreachable grain must not delay the others past their expiry.
        await Task.WhenAll(feeds.Select(async feed =>
        {
            try
            {
                await SubscribeAsync(feed);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogRenewFailed(ex, feed.TeamId);
            }
        }));
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
        ImmutableArray<Action<BoardNotice>> listeners;
        lock (_lock)
        {
            if (_feeds.TryGetValue(teamId, out var feed))
            {
                feed.LastVersion = Math.Max(feed.LastVersion, notice.Full.Version);
                listeners = feed.Listeners;
            }
            else
            {
                listeners = [];
            }
        }

        _outbox.Writer.TryWrite(notice);
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

    private static string GroupOf(string teamId, TeamAccess access) =>
        access == TeamAccess.Display ? HuddleGroups.Screen(teamId) : HuddleGroups.Board(teamId);

    /// <summary>Sends queued changes to their SignalR groups, in arrival order, on the default scheduler.</summary>
    private async Task PumpAsync()
    {
        await foreach (var notice in _outbox.Reader.ReadAllAsync())
        {
            var teamId = notice.Full.TeamId;
            try
            {
                if (notice.Roster is { } roster)
                {
                    await ApplyRosterAsync(teamId, roster, notice.Full);
                }

                Observe(_hub.Clients.Group(HuddleGroups.Board(teamId)).BoardChanged(notice.Full), teamId);
                Observe(_hub.Clients.Group(HuddleGroups.Screen(teamId)).BoardChanged(notice.SharedScreen), teamId);
            }
            catch (Exception ex)
            {
                // One failed send must not stop the pump for every other team.
                LogSendFailed(ex, teamId);
            }
        }
    }

    /// <summary>
    /// The roster changed: connections whose user lost access leave the groups (after one last
    /// reset, so their client re-reads and is told it is forbidden); a member turned display, or
    /// back, changes group. Runs before the change is sent, so nobody removed receives it.
    /// </summary>
    private async Task ApplyRosterAsync(string teamId, CareTeamProfile roster, BoardChange reset)
    {
        List<(RelayConnection Before, TeamAccess After)> moves = [];
        lock (_lock)
        {
            if (!_feeds.TryGetValue(teamId, out var feed))
            {
                return;
            }

            foreach (var connection in feed.Connections.Values.ToList())
            {
                var access = roster.AccessFor(connection.UserId);
                if (access != connection.Access)
                {
                    feed.Connections[connection.ConnectionId] = connection with { Access = access };
                    moves.Add((connection, access));
                }
            }
        }

        foreach (var (before, after) in moves)
        {
            if (after == TeamAccess.None)
            {
                Observe(_hub.Clients.Client(before.ConnectionId).BoardChanged(reset), teamId);
            }

            await RegroupAsync(teamId, before.ConnectionId, before.Access, after);
        }
    }

    private async Task RegroupAsync(string teamId, string connectionId, TeamAccess from, TeamAccess to)
    {
        if (from != TeamAccess.None)
        {
            await _hub.Groups.RemoveFromGroupAsync(connectionId, GroupOf(teamId, from));
        }

        if (to != TeamAccess.None)
        {
            await _hub.Groups.AddToGroupAsync(connectionId, GroupOf(teamId, to));
        }
    }

    private async Task SubscribeAfterAsync(Task? leaving, Feed feed)
    {
        if (leaving is not null)
        {
            await leaving.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        await SubscribeAsync(feed);
    }

    /// <summary>
    /// Subscribes (or renews) at the grain. The grain answers with its board's version: one the
    /// relay never saw means changes were published while the grain did not know this host (it was
    /// re-activated), so every local client is told to re-read the board.
    /// </summary>
    private async Task SubscribeAsync(Feed feed)
    {
        var version = await _grains.GetGrain<ICareTeamGrain>(feed.TeamId).SubscribeAsync(Reference());
        bool missed;
        lock (_lock)
        {
            missed = feed.LastVersion >= 0 && version > feed.LastVersion;
            feed.LastVersion = Math.Max(feed.LastVersion, version);
        }

        if (missed)
        {
            LogResync(feed.TeamId, version);
            var reset = BoardChange.ResetAt(feed.TeamId, version, "resync", _clock.UtcNow);
            await OnBoardChanged(new BoardNotice(reset, reset));
        }
    }

    private IBoardObserver Reference()
    {
        // Created on first use: the Orleans runtime is not up yet when the relay is constructed.
        lock (_lock)
        {
            return _reference ??= _grains.CreateObjectReference<IBoardObserver>(this);
        }
    }

    private async ValueTask DetachAsync(Feed feed, Action<BoardNotice>? listener, string? connectionId)
    {
        RelayConnection? connection = null;
        lock (_lock)
        {
            if (listener is not null)
            {
                feed.Listeners = feed.Listeners.Remove(listener);
            }

            if (connectionId is not null)
            {
                feed.Connections.Remove(connectionId, out connection);
            }

            if (--feed.Count == 0 && _feeds.TryGetValue(feed.TeamId, out var current) && ReferenceEquals(current, feed))
            {
                _feeds.Remove(feed.TeamId);
                var leaving = UnsubscribeAfterAsync(feed);
                _leaving[feed.TeamId] = leaving;
                Observe(leaving, feed.TeamId);
                _ = ForgetWhenDoneAsync(feed.TeamId, leaving);
            }
        }

        if (connection is not null)
        {
            await RegroupAsync(feed.TeamId, connection.ConnectionId, connection.Access, TeamAccess.None);
        }
    }

    private async Task ForgetWhenDoneAsync(string teamId, Task leaving)
    {
        await leaving.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        lock (_lock)
        {
            if (_leaving.TryGetValue(teamId, out var current) && ReferenceEquals(current, leaving))
            {
                _leaving.Remove(teamId);
            }
        }
    }

    private async Task UnsubscribeAfterAsync(Feed feed)
    {
        // Never unsubscribe before the subscription itself has landed.
        await feed.Subscribed.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing | ConfigureAwaitOptions.ForceYielding);
        await _grains.GetGrain<ICareTeamGrain>(feed.TeamId).UnsubscribeAsync(Reference());
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

    [LoggerMessage(Level = LogLevel.Information, Message = "Board {TeamId} is at version {Version}, which this host never relayed: clients told to re-read")]
    private partial void LogResync(string teamId, long version);

    private sealed class Feed(string teamId)
    {
        public string TeamId { get; } = teamId;
        public int Count { get; set; }
        public ImmutableArray<Action<BoardNotice>> Listeners { get; set; } = [];
        public Dictionary<string, RelayConnection> Connections { get; } = new(StringComparer.Ordinal);
        public Task Subscribed { get; set; } = Task.CompletedTask;

        /// <summary>The newest version this host has relayed or been told of; -1 before the first subscribe.</summary>
        public long LastVersion { get; set; } = -1;
    }

    private sealed class Attachment(BoardRelay relay, Feed feed, Action<BoardNotice>? listener, string? connectionId) : IAsyncDisposable
    {
        private int _disposed;

        public ValueTask DisposeAsync() =>
            Interlocked.Exchange(ref _disposed, 1) == 0 ? relay.DetachAsync(feed, listener, connectionId) : ValueTask.CompletedTask;
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
