using System.Collections.Immutable;
using Huddle.Contracts.Handoffs;
using Huddle.Contracts.Patients;

namespace Huddle.Grains.Patients;

/// <summary>A patient's persisted state: the profile, the patient's warm handoffs and measurement-based care.</summary>
[GenerateSerializer, Alias("huddle.patient-state")]
public sealed class PatientState
{
    [Id(0)]
    public PatientProfile? Profile { get; set; }

    /// <summary>The patient's warm handoffs, newest first (summaries: no reason text).</summary>
    [Id(1)]
    public ImmutableArray<HandoffSummary> Handoffs { get; set; } = [];

    /// <summary>The patient's measurement-based care (Collaborative Care registry), or null before the first measurement or enrolment.</summary>
    [Id(2)]
    public CareRecord? Care { get; set; }
}
