using System.Collections.Immutable;
using Huddle.Contracts.Presence;

namespace Huddle.Grains.Presence;

/// <summary>
/// A team's presence roster as one activation holds it (never stored, see <see cref="TeamPresenceGrain"/>):
/// the last presence seen of each clinician on the team, and the feed's seq in this activation's epoch.
/// </summary>
public sealed class TeamPresenceState
{
    public ImmutableDictionary<string, PresenceView> Members { get; set; } = ImmutableDictionary<string, PresenceView>.Empty;

    public long Seq { get; set; }
}
