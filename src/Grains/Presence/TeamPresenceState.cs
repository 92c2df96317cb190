using System.Collections.Immutable;
using Huddle.Contracts.Presence;

namespace Huddle.Grains.Presence;

/// <summary>A team's presence roster as stored: the last presence seen of each member, and the feed's seq.</summary>
[GenerateSerializer, Alias("huddle.team-presence-state")]
public sealed class TeamPresenceState
{
    [Id(0)]
    public ImmutableDictionary<string, PresenceView> Members { get; set; } = ImmutableDictionary<string, PresenceView>.Empty;

    [Id(1)]
    public long Seq { get; set; }

    /// <summary>
    /// The feed's epoch, stored with its seq: a new activation continues the same numbering, and a
    /// lost state (which loses this too) starts a new one. Id 20 keeps clear of the fields before it.
    /// </summary>
    [Id(20)]
    public long FeedEpoch { get; set; }
}
