namespace Huddle.Contracts.Live;

/// <summary>
/// A live feed's identity: its kind (<c>board</c>, later <c>inbox</c>, <c>thread</c>,
/// <c>presence</c>) and the key of the grain that owns it. Written <c>kind:key</c>
/// (<c>board:team-maple</c>) in logs, group names and docs.
/// </summary>
[GenerateSerializer, Immutable, Alias("huddle.feed-id")]
public readonly record struct FeedId(
    [property: Id(0)] string Kind,
    [property: Id(1)] string Key)
{
    public override string ToString() => $"{Kind}:{Key}";
}
