using System.Collections.Frozen;
using Huddle.Contracts.Live;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace Huddle.Web.Live;

/// <summary>
/// The one live path of this web host, for every feature. For each feed that anyone on this host
/// watches, the relay is the owner grain's one observer (however many watchers), follows the owner's
/// position (epoch and seq), repairs gaps with paged <c>ReadSince</c>, and fans each change out to the
/// SignalR group of each audience and to the Blazor components watching it. It is also the only
/// registry of who watches what: hub connections and components open and close feeds here, and a
/// roster change moves or drops them here, before anything else of that feed goes out.
/// <para>
/// One class in parts a reader can take one at a time: the registry of watchers and the feed's
/// lifetime at its owner (<c>FeedRelay.Watchers.cs</c>), the per-feed queue (<see cref="RelayedFeed"/>)
/// and its pump (<c>FeedRelay.Pump.cs</c>), renewal (<c>FeedRelay.Renewal.cs</c>), and routing to
/// SignalR groups and components (<c>FeedRelay.Routing.cs</c>).
/// </para>
/// <para>
/// Each feed has its own ordered queue and pump, so a slow regroup or catch-up of one feed never
/// delays another; sends are started, never awaited, so a slow client cannot hold up the pump. The
/// changes waiting in a queue and the unfinished sends are bounded (<see cref="FeedRelayOptions"/>);
/// joins, leaves and checks are never dropped.
/// </para>
/// </summary>
public sealed partial class FeedRelay : IFeedObserver, IDisposable
{
    private readonly IGrainFactory _grains;
    private readonly IHubContext<HuddleHub, IHuddleClient> _hub;
    private readonly FrozenDictionary<string, IFeedRoute> _routes;
    private readonly FeedRelayOptions _options;
    private readonly ILogger<FeedRelay> _logger;
    private readonly Lock _lock = new();
    private readonly Dictionary<FeedId, RelayedFeed> _feeds = [];
    private readonly IFeedHostRegistry? _localHosts;
    private IFeedObserver? _reference;

    /// <summary>
    /// A relay for this host. <paramref name="localHosts"/> is the silo's registry when the host is co-hosted
    /// with it (absent for a host that is an Orleans client: <see cref="IFeedHostRegistry"/>): the relay registers there, so owners on the
    /// same silo hand it their changes directly.
    /// </summary>
    public FeedRelay(IGrainFactory grains, IHubContext<HuddleHub, IHuddleClient> hub, IEnumerable<IFeedRoute> routes,
        IOptions<FeedRelayOptions> options, ILogger<FeedRelay> logger, IFeedHostRegistry? localHosts = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _grains = grains;
        _hub = hub;
        _routes = routes.ToFrozenDictionary(r => r.Kind, StringComparer.Ordinal);
        _options = options.Value;
        _logger = logger;
        _localHosts = localHosts;
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

    /// <inheritdoc />
    public Task OnFeedChanged(FeedChange change)
    {
        ArgumentNullException.ThrowIfNull(change);
        RelayedFeed? feed;
        lock (_lock)
        {
            feed = _feeds.GetValueOrDefault(change.Feed);
        }

        // Straight onto the feed's own queue: this runs on Orleans' scheduler (or in an owner's turn, when
        // the silo is co-hosted: IFeedHostRegistry), which must not wait for sends, and the feed's pump puts it in order.
        feed?.Enqueue(new FeedWork.Deliver(change));
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task OnFeedHint(FeedHint hint)
    {
        ArgumentNullException.ThrowIfNull(hint);
        RelayedFeed? feed;
        lock (_lock)
        {
            feed = _feeds.GetValueOrDefault(hint.Feed);
        }

        if (feed is null)
        {
            return Task.CompletedTask;
        }

        // In the feed's order like a change, so it reaches exactly the watchers joined at that point;
        // answered when its sends are done, off Orleans' scheduler.
        var sent = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        feed.Enqueue(new FeedWork.Hint(hint.Audience, hint.Payload, sent));
        return sent.Task;
    }

    /// <summary>What is waiting on <paramref name="feed"/>'s queue (changes, control): for tests and diagnostics.</summary>
    internal (int Changes, int Control) QueuedOf(FeedId feed)
    {
        lock (_lock)
        {
            return _feeds.TryGetValue(feed, out var f) ? (f.ChangesQueued, f.ControlQueued) : (0, 0);
        }
    }

    private IFeedRoute RouteOf(FeedId feed) =>
        _routes.TryGetValue(feed.Kind, out var route) ? route : throw new ArgumentException($"No route serves feeds of kind '{feed.Kind}'.", nameof(feed));

    private IFeedObserver Reference()
    {
        // Created on first use: the Orleans runtime is not up yet when the relay is constructed.
        lock (_lock)
        {
            if (_reference is null)
            {
                _reference = _grains.CreateObjectReference<IFeedObserver>(this);
                _localHosts?.Add(_reference, this);
            }

            return _reference;
        }
    }

    /// <summary>Stopping: owners on the silo no longer call this relay directly.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            if (_reference is not null)
            {
                _localHosts?.Remove(_reference);
            }
        }
    }

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

    [LoggerMessage(Level = LogLevel.Information, Message = "Feed {Feed}'s owner started epoch {Epoch} at seq {Seq} (was {OldEpoch}): watchers told to re-read")]
    private partial void LogNewEpoch(string feed, long epoch, long seq, long oldEpoch);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Feed {Feed} had too many unfinished sends (a slow consumer): changes were held back and watchers told to re-read")]
    private partial void LogSlowConsumer(string feed);
}
