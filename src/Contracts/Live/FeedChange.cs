using System.Collections.Immutable;

namespace Huddle.Contracts.Live;

/// <summary>
/// One numbered change of a feed, as its owner publishes it. <see cref="Seq"/> is gap-free per feed:
/// every change is the previous one's seq + 1, so a gap is always detectable. Each audience gets its
/// own payload (<see cref="Deliveries"/>); when the change moved people between audiences,
/// <see cref="Roster"/> says where everyone now belongs. <see cref="Epoch"/> is the owner's epoch the
/// seq belongs to (see <see cref="FeedPosition"/>).
/// </summary>
[GenerateSerializer, Immutable, Alias("huddle.feed-change")]
public sealed record FeedChange(
    [property: Id(0)] FeedId Feed,
    [property: Id(1)] long Seq,
    [property: Id(2)] ImmutableArray<FeedDelivery> Deliveries,
    [property: Id(3)] FeedRoster? Roster = null,
    [property: Id(4)] long Epoch = FeedPosition.AnyEpoch)
{
    /// <summary>Where this change leaves the feed.</summary>
    public FeedPosition Position => new(Epoch, Seq);

    /// <summary>The payload for <paramref name="audience"/>, or null when it gets nothing of this change.</summary>
    public object? For(string audience)
    {
        foreach (var delivery in Deliveries)
        {
            if (delivery.Audience == audience)
            {
                return delivery.Payload;
            }
        }

        return null;
    }
}
