using System.Collections.Immutable;
using Huddle.Contracts.Common;
using Huddle.Contracts.Handoffs;
using Huddle.Contracts.Registry;

namespace Huddle.Contracts.Patients;

/// <summary>
/// One grain per patient, keyed by an opaque patient id (never an MRN or a name). Owner of the feed
/// <c>care:{patientId}</c> (<see cref="CareFeed"/>) for clinicians on any of the patient's care teams:
/// each stored change of the patient's care or profile is published as a <see cref="PatientCareChange"/>
/// and the snapshot is the <see cref="PatientCareView"/>. Its seq is not stored: a new activation is a
/// new epoch, and a reader from an earlier one re-reads.
/// </summary>
public interface IPatientGrain : Live.IFeedGrain
{
    /// <summary>The feed kind of a patient's care (the registry's flags live in a chart's widget, the care panel live on the patient's page).</summary>
    const string CareFeed = "care";

    /// <summary>The profile, or null when the patient is unknown.</summary>
    /// <remarks>
    /// Interleaves: a care team grain reads patients while a patient's <see cref="SetAsync"/> may be
    /// telling that same team about its panel; without interleaving the two would wait on each other.
    /// </remarks>
    [AlwaysInterleave]
    Task<PatientProfile?> GetAsync();

    /// <summary>
    /// Creates or replaces the profile (EHR sync, demo seeding) and keeps the panels of the care
    /// teams it names (and of teams it no longer names) in step.
    /// </summary>
    Task SetAsync(PatientProfile profile);

    /// <summary>
    /// Called by a handoff's grain on every change: the patient keeps its handoffs, open and past
    /// (the newest <see cref="MaxHandoffs"/>, and every open one). A patient unknown here keeps nothing.
    /// </summary>
    Task TrackHandoffAsync(HandoffSummary handoff);

    /// <summary>The patient's warm handoffs, newest first, for clinicians on any of the patient's care teams.</summary>
    [AlwaysInterleave]
    Task<Result<ImmutableArray<HandoffSummary>>> GetHandoffsAsync(string userId);

    /// <summary>
    /// A change to the patient's measurement-based care (a PHQ-9 or GAD-7, enrolment, discharge, a
    /// care-manager contact, a psychiatric case review) by a clinician on one of the patient's care
    /// teams. Answered once stored; what it owes others (the team's registry, the boards' flags, the
    /// safety ping, the review's action item) is then told at least once.
    /// </summary>
    Task<Result<PatientCare>> CareAsync(string actorId, CareCommand command);

    /// <summary>The patient's measurement-based care as of the team's today, for clinicians on the patient's care teams.</summary>
    [AlwaysInterleave]
    Task<Result<PatientCare>> GetCareAsync(string userId);

    /// <summary>A page of the patient's measurements, newest first: up to <paramref name="limit"/> recorded before number <paramref name="before"/> (null: the newest).</summary>
    [AlwaysInterleave]
    Task<Result<MeasurementPage>> GetMeasurementsAsync(string userId, long? before, int limit);

    /// <summary>How many past handoffs a patient keeps (open ones are always kept).</summary>
    const int MaxHandoffs = 100;
}
