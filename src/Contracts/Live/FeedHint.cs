namespace Huddle.Contracts.Live;

/// <summary>
/// An unnumbered payload for one audience of a feed, sent to the hosts relaying it ahead of the
/// numbered change that will carry the same news (a handoff's ping, sent straight after the
/// handoff's durable write while the inbox still writes its own row). <see cref="Payload"/> is of
/// the feed's change type, marked as a hint, so watchers merge it like a change without moving
/// their seq; the numbered change always follows through the feed, so a lost hint costs only time.
/// </summary>
[GenerateSerializer, Immutable, Alias("huddle.feed-hint")]
public sealed record FeedHint(
    [property: Id(0)] FeedId Feed,
    [property: Id(1)] string Audience,
    [property: Id(2)] object Payload);
