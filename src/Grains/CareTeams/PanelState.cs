using System.Collections.Immutable;
using Huddle.Contracts.Patients;

namespace Huddle.Grains.CareTeams;

/// <summary>
/// A panel's state row. Patients now live in shards of their own (<see cref="PanelShard"/>): a row
/// written before that still holds them here; the grain moves them to their shards when it is
/// activated and then clears this list, which is never written again.
/// </summary>
[GenerateSerializer, Alias("huddle.panel-state")]
public sealed class PanelState
{
    [Id(0)]
    public ImmutableArray<PatientProfile> Patients { get; set; } = [];
}
