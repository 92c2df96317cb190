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

    /// <summary>
    /// How long, once the hosts have answered, an owner still holds the writes its change promised
    /// (<see cref="FeedHints"/>): a host's send is done when SignalR has handed the frame to the
    /// connection, not when the transport has written it, and writes started then take the core it is
    /// written from. On the durable handoff bench 5 ms put the ping's p50 at the one-write floor's and took
    /// its p99 from 17-18 ms to 12-14.5 (docs/performance.md, 2026-12-05 late). Zero starts them on the answer.
    /// </summary>
    public TimeSpan HintLead { get; set; } = TimeSpan.FromMilliseconds(5);

    /// <summary>These options with a ring of <paramref name="bufferSize"/> changes: for a feed whose changes are state, where a reader behind re-reads the snapshot.</summary>
    public FeedOptions WithBufferSize(int bufferSize)
    {
        // A member-wise copy: an option added later comes along without this method knowing it.
        var copy = (FeedOptions)MemberwiseClone();
        copy.BufferSize = bufferSize;
        return copy;
    }
}
