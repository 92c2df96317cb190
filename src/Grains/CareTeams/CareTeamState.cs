using System.Collections.Immutable;
using Huddle.Contracts.Boards;
using Huddle.Contracts.CareTeams;

namespace Huddle.Grains.CareTeams;

/// <summary>A care team's persisted state: its profile and today's board.</summary>
[GenerateSerializer, Alias("huddle.team-state")]
public sealed class CareTeamState
{
    [Id(0)]
    public CareTeamProfile? Profile { get; set; }

    [Id(1)]
    public HuddleBoard? Board { get; set; }

    /// <summary>The patients on the team's panel (ids only; each patient grain holds the profile).</summary>
    [Id(2)]
    public ImmutableArray<string> PanelPatientIds { get; set; } = [];
}
