using Huddle.Contracts.Common;

namespace Huddle.Contracts.Live;

/// <summary>
/// A grain that owns live feeds (a care team owns <c>board:{team}</c>). Hosts subscribe once per
/// feed and fan out locally; a watcher opens the feed through its host with the position it last saw.
/// The <c>kind</c> argument names which of the grain's feeds is meant. Catch-up is paged: an answer
/// with <c>More</c> is read again from its seq.
/// </summary>
public interface IFeedGrain : IGrainWithStringKey
{
    /// <summary>
    /// Subscribes or renews a host's observer (subscriptions expire unless renewed) and returns the
    /// feed's current position (epoch and seq), so the host can tell whether it missed changes or the
    /// owner started a new epoch.
    /// </summary>
    Task<FeedPosition> SubscribeAsync(string kind, IFeedObserver observer);

    /// <summary>Removes a host's observer.</summary>
    Task UnsubscribeAsync(string kind, IFeedObserver observer);

    /// <summary>
    /// For hosts: one page (at most <paramref name="limit"/>, see <see cref="FeedPage"/>) of every
    /// audience's changes after <paramref name="seq"/> of <paramref name="epoch"/>, or a reset when the
    /// owner cannot give them (or <paramref name="epoch"/> is not its own; <see cref="FeedPosition.AnyEpoch"/>
    /// means the current one).
    /// </summary>
    Task<FeedCatchUp> ReadSinceAsync(string kind, long seq, long epoch = FeedPosition.AnyEpoch, int limit = 0);

    /// <summary>
    /// For one watcher: checks what <paramref name="userId"/> may see, places them in an audience
    /// (<paramref name="audience"/> asks for a narrower one, e.g. a member opening the wall view as
    /// a display) and returns one page of what they missed after <paramref name="since"/> of
    /// <paramref name="epoch"/>, or the snapshot.
    /// </summary>
    Task<Result<FeedOpen>> OpenAsync(string kind, string userId, long? since, string? audience = null,
        long epoch = FeedPosition.AnyEpoch, int limit = 0);
}
