namespace Huddle.Contracts.Live;

/// <summary>
/// A web host's one observer of the feeds it relays. The owning grain knows each host once per feed,
/// however many of the host's clients watch it.
/// </summary>
public interface IFeedObserver : IGrainObserver
{
    /// <summary>A change was published. One-way: the owner never waits for a host.</summary>
    [OneWay]
    Task OnFeedChanged(FeedChange change);

    /// <summary>
    /// A hint for one audience of a feed this host relays (see <see cref="FeedHint"/>): sent to its
    /// watchers at once, never numbered, never fetched again. Unlike a change it is answered, once the
    /// host has handed it to its watchers' connections (at once when it relays no such feed or sheds
    /// the hint), so the owner can hold its own slower work (the writes the change promised) until the
    /// ping is out; the owner bounds that wait itself (<c>Huddle:Feeds:HintWait</c>) and never fails on it.
    /// Always interleaved: Orleans runs a host observer's calls one at a time, awaiting each, so an
    /// answer that waits for a slow connection must not hold the host's other feeds' changes.
    /// </summary>
    [AlwaysInterleave]
    Task OnFeedHint(FeedHint hint);
}
