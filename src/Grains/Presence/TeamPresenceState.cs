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
}
