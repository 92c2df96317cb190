namespace Huddle.Web.Live;

/// <summary>Relay tunables (configuration section <c>Huddle:Relay</c>).</summary>
public sealed class FeedRelayOptions
{
    /// <summary>
    /// How often each feed's subscription is renewed at its owner. Well inside the owner's observer
    /// expiry (3 min), and short enough that an owner re-activated elsewhere (silo restart,
    /// rebalancing, a failed write) is found again quickly; a renewal that finds the feed at a seq
    /// this host never relayed catches up with <c>ReadSince</c>.
    /// </summary>
    public TimeSpan RenewEvery { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Changes one feed may have waiting on this host. Past it, further changes are dropped and the
    /// feed catches up from its owner (or resets its watchers) once the pump gets to it: a burst costs
    /// a re-read, never unbounded memory. Joins, leaves and checks are never dropped and not counted:
    /// each is one caller's awaited request or one renewal, so they are bounded by the callers.
    /// </summary>
    public int QueueLimit { get; set; } = 1024;

    /// <summary>
    /// Changes asked for in one catch-up read from an owner (the owner answers at most its own page
    /// limit, 1,000). A host further behind reads page after page, in order, until the owner has no more.
    /// </summary>
    public int CatchUpPage { get; set; } = 256;

    /// <summary>
    /// SignalR sends of one feed that may be unfinished at once (a send finishes when every connection
    /// of the group has taken it). Past it, a slow consumer is holding the feed back: changes are not
    /// sent but counted, and one reset goes out when the sends have drained, so clients re-read.
    /// </summary>
    public int MaxPendingSends { get; set; } = 512;
}
