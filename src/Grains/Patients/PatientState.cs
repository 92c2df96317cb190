using System.Collections.Immutable;
using Huddle.Contracts.Handoffs;
using Huddle.Contracts.Patients;

namespace Huddle.Grains.Patients;

/// <summary>A patient's persisted state: the profile and the patient's warm handoffs.</summary>
[GenerateSerializer, Alias("huddle.patient-state")]
public sealed class PatientState
{
    [Id(0)]
    public PatientProfile? Profile { get; set; }

    /// <summary>The patient's warm handoffs, newest first (summaries: no reason text).</summary>
    [Id(1)]
    public ImmutableArray<HandoffSummary> Handoffs { get; set; } = [];
}
