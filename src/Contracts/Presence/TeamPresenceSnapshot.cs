using System.Collections.Immutable;

namespace Huddle.Contracts.Presence;

/// <summary>Every clinician of a team with their presence, in roster order (one never seen is offline).</summary>
[GenerateSerializer, Immutable, Alias("huddle.team-presence")]
public sealed record TeamPresenceSnapshot(
    [property: Id(0)] string TeamId,
    [property: Id(1)] long Seq,
    [property: Id(2)] ImmutableArray<PresenceView> Members);
