using System.Collections.Immutable;
using Huddle.Contracts.Boards;

namespace Huddle.Contracts.Registry;

/// <summary>
/// A patient's care as a watcher of <c>care:{patientId}</c> sees it: the care record as the patient's
/// page shows it, and the patient's flags (the registry's scores and prompts merged into the profile's
/// own), so a chart's widget shows what the team's board card shows.
/// </summary>
[GenerateSerializer, Immutable, Alias("huddle.patient-care-view")]
public sealed record PatientCareView(
    [property: Id(0)] PatientCare Care,
    [property: Id(1)] ImmutableArray<CardFlag> Flags);

/// <summary>
/// One change of a patient's care feed (<c>care:{patientId}</c>): the whole view after a stored change
/// (a measurement, an enrolment, a contact, a review, the day's prompts, a profile sync). A view replaces
/// the one held, so a watcher that missed several needs only the last. <see cref="Reset"/> (no view)
/// means "re-read".
/// </summary>
[GenerateSerializer, Immutable, Alias("huddle.patient-care-change")]
public sealed record PatientCareChange(
    [property: Id(0)] string PatientId,
    [property: Id(1)] long Seq,
    [property: Id(2)] PatientCareView? View,
    [property: Id(3)] DateTimeOffset At,
    [property: Id(4)] bool Reset = false);
