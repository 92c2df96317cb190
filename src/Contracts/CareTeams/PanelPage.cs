using System.Collections.Immutable;

namespace Huddle.Contracts.CareTeams;

/// <summary>One page of a team's panel, by name; <see cref="Total"/> counts every match.</summary>
[GenerateSerializer, Immutable, Alias("huddle.panel-page")]
public sealed record PanelPage(
    [property: Id(0)] ImmutableArray<Patients.PatientProfile> Patients,
    [property: Id(1)] int Total,
    [property: Id(2)] int Offset)
{
    /// <summary>The largest page a caller may ask for.</summary>
    public const int MaxLimit = 100;

    /// <summary>The most patients one panel holds.</summary>
    public const int MaxPatients = 5000;
}
