namespace Huddle.Web.Live;

/// <summary>One watcher of a feed on this host: a hub connection or a component.</summary>
internal sealed class FeedWatch(string? connectionId, string userId, string? requested, Action<object>? onPayload)
{
    public int ClosedFlag;
    public int ReleasedFlag;
    private RelayedFeed? _feed;
    private volatile bool _evicted;

    public string? ConnectionId { get; } = connectionId;
    public string UserId { get; } = userId;

    /// <summary>The audience the watcher asked for (a member on the wall view), or null for the roster's.</summary>
    public string? Requested { get; } = requested;

    /// <summary>A component's hand-off, or null for a hub connection.</summary>
    public Action<object>? OnPayload { get; } = onPayload;

    public string? Audience { get; set; }

    /// <summary>Where its user's access checks stood when its open asked the owner (<c>FeedRelay.Access.cs</c>).</summary>
    public long AccessGeneration { get; set; }

    public RelayedFeed? Feed
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

/// <summary>What one hub connection watches, so its end closes everything.</summary>
internal sealed class HubConnectionWatches(string userId)
{
    public string UserId { get; } = userId;
    public Dictionary<Contracts.Live.FeedId, FeedWatch> Feeds { get; } = [];
    public bool Closed { get; set; }
    public CancellationTokenRegistration Registration { get; set; }
}
