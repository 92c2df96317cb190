using Huddle.Contracts.Common;
using Huddle.Contracts.Live;

namespace Huddle.Web.Live;

/// <summary>
/// The relay's opens and reads as typed <see cref="FeedReply{TSnapshot, TChange}"/>s: what every
/// feature's hub methods and HTTP catch-up call, so each is one line and none maps a reply of its own.
/// A malformed key is refused here, before it becomes a grain key.
/// </summary>
public static class FeedReads
{
    /// <summary>
    /// Opens <paramref name="feed"/> for a hub connection (with <paramref name="since"/> of <paramref name="epoch"/>:
    /// only what it missed); it then receives the feed's hub event.
    /// </summary>
    public static async Task<Result<FeedReply<TSnapshot, TChange>>> SubscribeAsync<TSnapshot, TChange>(this FeedRelay relay, FeedId feed, HubWatcher watcher, long? since,
        string? audience = null, long epoch = FeedPosition.AnyEpoch)
        where TSnapshot : class
    {
        ArgumentNullException.ThrowIfNull(relay);
        ArgumentNullException.ThrowIfNull(watcher);
        return Invalid(feed) is { } invalid ? invalid : FeedReply<TSnapshot, TChange>.From(await relay.OpenAsync(feed, watcher, since, audience, epoch));
    }

    /// <summary>The catch-up read of <paramref name="feed"/> (without <paramref name="since"/>: the snapshot), without watching; at most <paramref name="limit"/> changes (0: the default page).</summary>
    public static async Task<Result<FeedReply<TSnapshot, TChange>>> ReadAsync<TSnapshot, TChange>(this FeedRelay relay, FeedId feed, string userId, long? since,
        string? audience = null, long epoch = FeedPosition.AnyEpoch, int limit = 0)
        where TSnapshot : class
    {
        ArgumentNullException.ThrowIfNull(relay);
        return Invalid(feed) is { } invalid ? invalid : FeedReply<TSnapshot, TChange>.From(await relay.ReadAsync(feed, userId, since, audience, epoch, limit));
    }

    /// <summary>Stops a hub connection watching <paramref name="feed"/>; a malformed key watches nothing.</summary>
    public static Task UnsubscribeAsync(this FeedRelay relay, FeedId feed, string connectionId)
    {
        ArgumentNullException.ThrowIfNull(relay);
        return Ids.IsValid(feed.Key) ? relay.CloseAsync(feed, connectionId) : Task.CompletedTask;
    }

    /// <summary>The error for a malformed feed key (a team or user id), or null.</summary>
    internal static HuddleError? Invalid(FeedId feed) => Ids.IsValid(feed.Key) ? null : HuddleError.InvalidId("A team or user id");
}
