using System.Collections.Immutable;

namespace Huddle.Contracts.Live;

/// <summary>
/// The answer to a host's <see cref="IFeedGrain.ReadSinceAsync"/>: the changes after the asked seq in
/// order, or <see cref="Reset"/> when the owner no longer has them all (its buffer overflowed, or
/// it was re-activated): then every watcher must re-read the snapshot.
/// </summary>
[GenerateSerializer, Immutable, Alias("huddle.feed-catch-up")]
public sealed record FeedCatchUp(
    [property: Id(0)] long Seq,
    [property: Id(1)] bool Reset,
    [property: Id(2)] ImmutableArray<FeedChange> Changes);
