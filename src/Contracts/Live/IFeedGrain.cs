using Huddle.Contracts.Common;

namespace Huddle.Contracts.Live;

/// <summary>
/// A grain that owns live feeds (a care team owns <c>board:{team}</c>). Hosts subscribe once per
/// feed and fan out locally; a watcher opens the feed through its host with the seq it last saw.
/// The <c>kind</c> argument names which of the grain's feeds is meant.
/// </summary>
public interface IFeedGrain : IGrainWithStringKey
{
    /// <summary>
    /// Subscribes or renews a host's observer (subscriptions expire unless renewed) and returns the
    /// feed's current seq, so the host can tell whether it missed changes.
    /// </summary>
    Task<long> SubscribeAsync(string kind, IFeedObserver observer);

    /// <summary>Removes a host's observer.</summary>
    Task UnsubscribeAsync(string kind, IFeedObserver observer);

    /// <summary>For hosts: every audience's changes after <paramref name="seq"/>, or a reset.</summary>
    Task<FeedCatchUp> ReadSinceAsync(string kind, long seq);

    /// <summary>
    /// For one watcher: checks what <paramref name="userId"/> may see, places them in an audience
    /// (<paramref name="audience"/> asks for a narrower one, e.g. a member opening the wall view as
    /// a display) and returns what they missed after <paramref name="since"/>, or the snapshot.
    /// </summary>
    Task<Result<FeedOpen>> OpenAsync(string kind, string userId, long? since, string? audience = null);
}
