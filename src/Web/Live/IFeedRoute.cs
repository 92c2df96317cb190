using Huddle.Contracts.Live;

namespace Huddle.Web.Live;

/// <summary>
/// What one kind of feed needs from the relay, and all a live feature adds to it: which grain owns
/// the feed, which hub event carries its changes, and what "re-read" looks like to its clients.
/// Who may watch, and in which audience, is the owner's call (<see cref="IFeedGrain.OpenAsync"/>).
/// </summary>
public interface IFeedRoute
{
    /// <summary>The feed kind this route serves (<c>board</c>).</summary>
    string Kind { get; }

    /// <summary>The grain that owns the feed with <paramref name="key"/>.</summary>
    IFeedGrain Owner(IGrainFactory grains, string key);

    /// <summary>Sends one audience's payload to <paramref name="clients"/> (a group or one connection); started, never awaited by the relay's callers.</summary>
    Task SendAsync(IHuddleClient clients, object payload);

    /// <summary>The payload that tells a client "re-read the snapshot": sent when changes cannot be replayed.</summary>
    object ResetPayload(FeedId feed, long seq, string reason);
}
