using Huddle.Contracts.Common;
using Huddle.Contracts.Live;

namespace Huddle.Web.Live;

/// <summary>Where a live copy reads its feed: opened once with a callback for each later change, read again to catch up.</summary>
public interface IFeedSource<TSnapshot, TChange>
    where TSnapshot : class
    where TChange : class
{
    /// <summary>Opens the feed: the snapshot, then every later change handed to <paramref name="onChange"/>; dispose the watch to stop.</summary>
    Task<(Result<FeedReply<TSnapshot, TChange>> Open, IAsyncDisposable? Watch)> WatchAsync(Action<TChange> onChange);

    /// <summary>One page of what was missed after <paramref name="since"/> in <paramref name="epoch"/>, or the snapshot.</summary>
    Task<Result<FeedReply<TSnapshot, TChange>>> ReadAsync(long? since, long epoch = FeedPosition.AnyEpoch);
}
