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
    /// watchers at once, never numbered, never fetched again. One-way, like a change.
    /// </summary>
    [OneWay]
    Task OnFeedHint(FeedHint hint);
}
