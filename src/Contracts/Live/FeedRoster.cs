using System.Collections.Immutable;

namespace Huddle.Contracts.Live;

/// <summary>
/// Which audience each user belongs to, sent with a change when it moved people (a roster change):
/// hosts move or drop their watchers before anything else of the feed goes out.
/// </summary>
[GenerateSerializer, Immutable, Alias("huddle.feed-roster")]
public sealed record FeedRoster(
    [property: Id(0)] ImmutableDictionary<string, string> AudienceByUser)
{
    /// <summary>The audience <paramref name="userId"/> may now be in, or null for none.</summary>
    public string? AudienceOf(string userId) => AudienceByUser.GetValueOrDefault(userId);
}
