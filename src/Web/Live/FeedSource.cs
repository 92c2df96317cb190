using Huddle.Contracts.Common;
using Huddle.Contracts.Live;

namespace Huddle.Web.Live;

/// <summary>
/// One feed as one reader reaches it through the relay, typed: opened by a component on this host
/// (<see cref="WatchAsync"/>), or read to catch up (<see cref="ReadAsync"/>). A feature's service hands
/// one to its live copy; the copy never knows which feed kind it reads.
/// </summary>
/// <param name="relay">This host's relay.</param>
/// <param name="feed">The feed.</param>
/// <param name="userId">Who reads it (the owner decides what they may see).</param>
/// <param name="audience">A narrower audience asked for (the wall view of a board), or null.</param>
public sealed class FeedSource<TSnapshot, TChange>(FeedRelay relay, FeedId feed, string userId, string? audience = null) : IFeedSource<TSnapshot, TChange>
    where TSnapshot : class
    where TChange : class
{
    public FeedId Feed => feed;

    public string UserId => userId;

    /// <summary>Opens the feed: the snapshot, then every later change of the reader's audience handed to <paramref name="onChange"/> (on the relay's pump).</summary>
    public async Task<(Result<FeedReply<TSnapshot, TChange>> Open, IAsyncDisposable? Watch)> WatchAsync(Action<TChange> onChange)
    {
        ArgumentNullException.ThrowIfNull(onChange);
        if (FeedReads.Invalid(feed) is { } invalid)
        {
            return (invalid, null);
        }

        var (open, watch) = await relay.OpenLocalAsync(feed, userId, null, audience, payload => onChange((TChange)payload));
        return (FeedReply<TSnapshot, TChange>.From(open), watch);
    }

    /// <summary>
    /// What the reader missed after <paramref name="since"/> in <paramref name="epoch"/> (one page), or
    /// (without it, in another epoch, or when no longer kept) the snapshot.
    /// </summary>
    public Task<Result<FeedReply<TSnapshot, TChange>>> ReadAsync(long? since, long epoch = FeedPosition.AnyEpoch) =>
        relay.ReadAsync<TSnapshot, TChange>(feed, userId, since, audience, epoch);
}
