using System.Collections.Immutable;

namespace Huddle.Contracts.Live;

/// <summary>
/// The answer to a host's <see cref="IFeedGrain.ReadSinceAsync"/>: the changes after the asked seq in
/// order, at most one page of them, or <see cref="Reset"/> when the owner can no longer give them (they
/// are neither in its ring nor in stored pages, or the reader's epoch is not the owner's): then every
/// watcher must re-read the snapshot.
/// </summary>
/// <param name="Seq">
/// Where this answer leaves the reader: the last change's seq (the next read's <c>since</c> while
/// <see cref="More"/>), or the owner's seq when nothing was missed or on a reset.
/// </param>
/// <param name="Reset">True when the changes cannot be given: re-read the snapshot.</param>
/// <param name="Changes">The changes after the asked seq, in order, gap-free.</param>
/// <param name="Epoch">The owner's epoch, which <see cref="Seq"/> belongs to.</param>
/// <param name="More">True when the owner has more changes after <see cref="Seq"/>: read again from there.</param>
[GenerateSerializer, Immutable, Alias("huddle.feed-catch-up")]
public sealed record FeedCatchUp(
    [property: Id(0)] long Seq,
    [property: Id(1)] bool Reset,
    [property: Id(2)] ImmutableArray<FeedChange> Changes,
    [property: Id(3)] long Epoch = FeedPosition.AnyEpoch,
    [property: Id(4)] bool More = false)
{
    /// <summary>Where this answer leaves the reader, with its epoch.</summary>
    public FeedPosition Position => new(Epoch, Seq);
}
