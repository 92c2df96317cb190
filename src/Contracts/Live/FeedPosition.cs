namespace Huddle.Contracts.Live;

/// <summary>
/// Where a feed stands: the owner's <see cref="Epoch"/> and the <see cref="Seq"/> within it. A seq
/// means something only within its epoch: an owner that can no longer vouch for what it numbered
/// before (a new activation that lost its in-memory ring, or whose seq was not stored) starts a new
/// epoch, so the same seq is never handed out twice with different content. Epochs are opaque and
/// compared for equality only (never ordered); they stay below 2^53 so a JavaScript client keeps them exact.
/// </summary>
[GenerateSerializer, Immutable, Alias("huddle.feed-position")]
public readonly record struct FeedPosition(
    [property: Id(0)] long Epoch,
    [property: Id(1)] long Seq)
{
    /// <summary>The epoch a reader sends when it has none (an older client): read as "the owner's current one".</summary>
    public const long AnyEpoch = 0;

    public override string ToString() => $"{Epoch}/{Seq}";
}
