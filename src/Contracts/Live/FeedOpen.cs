using System.Collections.Immutable;

namespace Huddle.Contracts.Live;

/// <summary>
/// What one watcher gets when it opens (or re-opens) a feed, in one call: the audience it was placed
/// in and the feed's seq, then either the changes after the seq it already had
/// (<see cref="Changes"/>, its audience's payloads, in order) or, when it had none or the owner no
/// longer has them (<see cref="Reset"/>), the snapshot to start from.
/// </summary>
[GenerateSerializer, Immutable, Alias("huddle.feed-open")]
public sealed record FeedOpen(
    [property: Id(0)] string Audience,
    [property: Id(1)] long Seq,
    [property: Id(2)] bool Reset,
    [property: Id(3)] object? Snapshot,
    [property: Id(4)] ImmutableArray<object> Changes);
