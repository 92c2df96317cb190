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
    /// feed catches up from its owner (or resets its watchers) once the queue has room: a burst costs
    /// a re-read, never unbounded memory.
    /// </summary>
    public int QueueLimit { get; set; } = 1024;

    /// <summary>
    /// SignalR sends of one feed that may be unfinished at once (a send finishes when every connection
    /// of the group has taken it). Past it, a slow consumer is holding the feed back: changes are not
    /// sent but counted, and one reset goes out when the sends have drained, so clients re-read.
    /// </summary>
    public int MaxPendingSends { get; set; } = 512;
}
