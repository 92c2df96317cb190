using System.Collections.Immutable;

namespace Huddle.Contracts.Live;

/// <summary>
/// What one watcher gets when it opens (or re-opens, or reads) a feed, in one call: the audience it
/// was placed in and the feed's position, then either the changes after the seq it already had
/// (<see cref="Changes"/>, its audience's payloads, in order, at most one page) or, when it had none
/// or the owner can no longer give them (<see cref="Reset"/>), the snapshot to start from.
/// </summary>
/// <param name="Audience">The audience the watcher was placed in.</param>
/// <param name="Seq">
/// The seq the reply brings the watcher to: the snapshot's on a reset, otherwise the last change
/// read (the next read's <c>since</c> while <see cref="More"/>).
/// </param>
/// <param name="Reset">True when <see cref="Snapshot"/> replaces whatever the watcher held.</param>
/// <param name="Snapshot">The state at <see cref="Seq"/> (for a long log, its latest page), on a reset only.</param>
/// <param name="Changes">The payloads missed, in order (a change with nothing for this audience adds none).</param>
/// <param name="Epoch">The owner's epoch: a watcher resumes with it and <see cref="Seq"/>.</param>
/// <param name="More">True when there are more changes after <see cref="Seq"/>: read again from there.</param>
[GenerateSerializer, Immutable, Alias("huddle.feed-open")]
public sealed record FeedOpen(
    [property: Id(0)] string Audience,
    [property: Id(1)] long Seq,
    [property: Id(2)] bool Reset,
    [property: Id(3)] object? Snapshot,
    [property: Id(4)] ImmutableArray<object> Changes,
    [property: Id(5)] long Epoch = FeedPosition.AnyEpoch,
    [property: Id(6)] bool More = false)
{
    /// <summary>Where this reply leaves the watcher, with its epoch.</summary>
    public FeedPosition Position => new(Epoch, Seq);
}
