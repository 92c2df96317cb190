namespace Huddle.Contracts.Live;

/// <summary>One audience's form of a change: what its watchers are sent.</summary>
[GenerateSerializer, Immutable, Alias("huddle.feed-delivery")]
public sealed record FeedDelivery(
    [property: Id(0)] string Audience,
    [property: Id(1)] object Payload);
