namespace Huddle.Grains.Live;

/// <summary>Tunables of every feed a grain publishes (configuration section <c>Huddle:Feeds</c>).</summary>
public sealed class FeedOptions
{
    /// <summary>
    /// How long a host's observer stays subscribed without renewal. Hosts renew every 30 s
    /// (<c>Huddle:Relay:RenewEvery</c>), so a few missed renewals never drop a live subscription.
    /// </summary>
    public TimeSpan ObserverExpiry { get; set; } = TimeSpan.FromMinutes(3);

    /// <summary>
    /// How many recent changes an owner keeps in memory to answer catch-up reads. A watcher further
    /// behind than this (or behind a re-activation, which starts the buffer empty) gets a reset and
    /// the snapshot instead.
    /// </summary>
    public int BufferSize { get; set; } = 256;

    /// <summary>
    /// The longest an owner holds the writes its change promised for the hosts' answers to its hints
    /// (<see cref="FeedHints"/>): a host normally answers within a millisecond or two; one that is gone or
    /// stuck costs each hinted change this much, never an error.
    /// </summary>
    public TimeSpan HintWait { get; set; } = TimeSpan.FromMilliseconds(200);
}
