using System.Collections.Immutable;

namespace Huddle.Contracts.Registry;

/// <summary>A measurement instrument of measurement-based care.</summary>
public enum Instrument
{
    /// <summary>Patient Health Questionnaire, 9 items (depression), each 0-3, total 0-27.</summary>
    Phq9,

    /// <summary>Generalized Anxiety Disorder scale, 7 items (anxiety), each 0-3, total 0-21.</summary>
    Gad7,
}

/// <summary>A total's severity band (GAD-7 has no "moderately severe").</summary>
public enum SeverityBand
{
    Minimal,
    Mild,
    Moderate,
    ModeratelySevere,
    Severe,
}

/// <summary>How a care manager reached the patient.</summary>
public enum ContactKind
{
    Phone,
    InPerson,
    Video,
    Portal,
}

/// <summary>
/// One administered PHQ-9 or GAD-7: the item scores as answered, the total and band computed from them
/// (<see cref="Questionnaires"/>), the day it was taken (the team's calendar), who administered it, and
/// its number in the patient's record (1, 2, … in the order recorded: its storage page), and whom its
/// item 9 pinged (<see cref="SafetyRoute"/>; none on a form recorded before that was kept).
/// </summary>
[GenerateSerializer, Immutable, Alias("huddle.measurement")]
public sealed record Measurement(
    [property: Id(0)] long Number,
    [property: Id(1)] Instrument Instrument,
    [property: Id(2)] DateOnly On,
    [property: Id(3)] ImmutableArray<int> Items,
    [property: Id(4)] int Total,
    [property: Id(5)] SeverityBand Band,
    [property: Id(6)] string AdministeredBy,
    [property: Id(7)] DateTimeOffset RecordedAt,
    [property: Id(8)] SafetyRoute Safety = SafetyRoute.None)
{
    /// <summary>True for a PHQ-9 whose item 9 (thoughts of self-harm) is above 0.</summary>
    public bool RaisesSafetyFlag => Instrument == Instrument.Phq9 && Items.Length == Questionnaires.Phq9Items && Items[8] > 0;
}

/// <summary>One point of a score's trend: the day and the total.</summary>
[GenerateSerializer, Immutable, Alias("huddle.trend-point")]
public sealed record TrendPoint(
    [property: Id(0)] DateOnly On,
    [property: Id(1)] int Total);

/// <summary>A patient's enrolment in a team's Collaborative Care registry.</summary>
[GenerateSerializer, Immutable, Alias("huddle.enrolment")]
public sealed record Enrolment(
    [property: Id(0)] string TeamId,
    [property: Id(1)] DateOnly EnrolledOn,
    [property: Id(2)] string CareManagerId,
    [property: Id(3)] string? PsychiatristId,
    [property: Id(4)] DateOnly? DischargedOn = null)
{
    public bool IsActive => DischargedOn is null;
}

/// <summary>A care manager's contact with the patient, with its minutes (what CoCM bills by).</summary>
[GenerateSerializer, Immutable, Alias("huddle.care-contact")]
public sealed record CareContact(
    [property: Id(0)] long Number,
    [property: Id(1)] DateOnly On,
    [property: Id(2)] ContactKind Kind,
    [property: Id(3)] int Minutes,
    [property: Id(4)] string By,
    [property: Id(5)] DateTimeOffset RecordedAt);

/// <summary>Care-manager minutes in one calendar month (the team's calendar).</summary>
[GenerateSerializer, Immutable, Alias("huddle.month-minutes")]
public sealed record MonthMinutes(
    [property: Id(0)] int Year,
    [property: Id(1)] int Month,
    [property: Id(2)] int Minutes);

/// <summary>A psychiatric case review: who reviewed, when, and the recommendation sent back to the team.</summary>
[GenerateSerializer, Immutable, Alias("huddle.case-review")]
public sealed record CaseReview(
    [property: Id(0)] long Number,
    [property: Id(1)] DateOnly On,
    [property: Id(2)] string By,
    [property: Id(3)] string Recommendation);

/// <summary>
/// What the registry knows of one patient: the patient's grain computes it after every change and
/// tells the enrolling team's registry (a projection: the patient's grain is the truth). Its
/// <see cref="Version"/> rises with each change, so a late or repeated tell changes nothing.
/// Bounded: the trends keep <see cref="RegistryLimits.TrendPoints"/> points, the minutes
/// <see cref="RegistryLimits.MinuteMonths"/> months.
/// </summary>
[GenerateSerializer, Immutable, Alias("huddle.registry-entry")]
public sealed record RegistryEntry(
    [property: Id(0)] string PatientId,
    [property: Id(1)] string DisplayName,
    [property: Id(2)] string Initials,
    [property: Id(3)] Enrolment? Enrolment,
    [property: Id(4)] ImmutableArray<TrendPoint> Phq9,
    [property: Id(5)] ImmutableArray<TrendPoint> Gad7,
    [property: Id(6)] DateOnly? LastContactOn,
    [property: Id(7)] ImmutableArray<MonthMinutes> Minutes,
    [property: Id(8)] CaseReview? LastReview,
    [property: Id(9)] DateOnly? SafetyOn,
    [property: Id(10)] long Version)
{
    /// <summary>
    /// The PHQ-9 treatment is measured against: the last one in the <see cref="RegistryRules.BaselineDays"/>
    /// days up to the enrolment day, else the first after it (never one from before that: an earlier
    /// episode's, or a screening long ago); never enrolled, the first.
    /// </summary>
    public TrendPoint? Baseline => Enrolment is { } e
        ? Phq9.LastOrDefault(p => p.On <= e.EnrolledOn && p.On > e.EnrolledOn.AddDays(-RegistryRules.BaselineDays)) ?? Phq9.FirstOrDefault(p => p.On > e.EnrolledOn)
        : Phq9.FirstOrDefault();

    /// <summary>The latest PHQ-9 (by day).</summary>
    public TrendPoint? Latest => Phq9.IsDefaultOrEmpty ? null : Phq9[^1];

    /// <summary>Minutes in the calendar month of <paramref name="day"/>.</summary>
    public int MinutesIn(DateOnly day) => Minutes.FirstOrDefault(m => m.Year == day.Year && m.Month == day.Month)?.Minutes ?? 0;
}

/// <summary>What the registry asks of the team about a patient today (domain code: <see cref="RegistryRules"/>).</summary>
[Flags]
public enum RegistryPrompts
{
    None = 0,

    /// <summary>Enrolled 4 weeks or more ago with no care-manager contact since enrolment.</summary>
    NoContact = 1,

    /// <summary>No PHQ-9 in the last 4 weeks of an active enrolment.</summary>
    MeasurementDue = 2,

    /// <summary>Week 8 or later of treatment and not improving (less than a 50 % drop from baseline), not reviewed in the last 4 weeks.</summary>
    PsychiatricReview = 4,

    /// <summary>The latest PHQ-9 had item 9 (thoughts of self-harm) above 0.</summary>
    Safety = 8,
}

/// <summary>A registry entry as of a day: weeks in treatment, response, remission, prompts, billing.</summary>
[GenerateSerializer, Immutable, Alias("huddle.registry-status")]
public sealed record RegistryStatus(
    [property: Id(0)] int? WeeksInTreatment,
    [property: Id(1)] bool Response,
    [property: Id(2)] bool Remission,
    [property: Id(3)] RegistryPrompts Prompts,
    [property: Id(4)] int MinutesThisMonth,
    [property: Id(5)] CocmMonth Billing,
    [property: Id(6)] double? ChangeFromBaseline);

/// <summary>One row of a team's registry: the entry and its status today.</summary>
[GenerateSerializer, Immutable, Alias("huddle.registry-row")]
public sealed record RegistryRow(
    [property: Id(0)] RegistryEntry Entry,
    [property: Id(1)] RegistryStatus Status);

/// <summary>A team's registry as of <see cref="Today"/> (the team's day), ordered by who needs attention first.</summary>
[GenerateSerializer, Immutable, Alias("huddle.registry-view")]
public sealed record RegistryView(
    [property: Id(0)] string TeamId,
    [property: Id(1)] DateOnly Today,
    [property: Id(2)] ImmutableArray<RegistryRow> Rows);

/// <summary>A page of a patient's measurements, newest first; <see cref="Before"/> asks for the next page.</summary>
[GenerateSerializer, Immutable, Alias("huddle.measurement-page")]
public sealed record MeasurementPage(
    [property: Id(0)] ImmutableArray<Measurement> Measurements,
    [property: Id(1)] long? Before);

/// <summary>A patient's measurement-based care as the patient's page shows it.</summary>
[GenerateSerializer, Immutable, Alias("huddle.patient-care")]
public sealed record PatientCare(
    [property: Id(0)] RegistryEntry Entry,
    [property: Id(1)] RegistryStatus Status,
    [property: Id(2)] ImmutableArray<Measurement> Recent,
    [property: Id(3)] DateOnly Today);

/// <summary>Bounds of the registry.</summary>
public static class RegistryLimits
{
    /// <summary>Trend points kept per instrument in the patient's row and the registry (two years of weekly scores); older ones stay in the measurement pages.</summary>
    public const int TrendPoints = 104;

    /// <summary>Months of care-manager minutes kept (this month and the twelve before).</summary>
    public const int MinuteMonths = 13;

    /// <summary>
    /// Days back a PHQ-9 entered late may have been taken and still ping for its item 9 above 0 (the PHQ-9 asks
    /// about the last two weeks): its answer was never assessed. Older ones are history being filed, and ping nobody.
    /// </summary>
    public const int LateSafetyDays = 14;

    /// <summary>Full measurements kept in the patient's row for the page (the rest are read from pages).</summary>
    public const int RecentMeasurements = 8;

    /// <summary>Patients enrolled in one team's registry at once (a full CoCM caseload is about 75 per care manager).</summary>
    public const int Enrolled = 1_000;

    /// <summary>
    /// How long a discharged episode stays in its team's registry for the metrics: the longest period they
    /// look back (12 months) and one more, for the outcome windows that end within it.
    /// </summary>
    public const int DischargedKeptMonths = 13;

    /// <summary>Discharged episodes one team's registry keeps at most (the oldest discharged leave first).</summary>
    public const int DischargedKept = 2_000;

    /// <summary>Longest recommendation text.</summary>
    public const int RecommendationLength = 500;

    /// <summary>Most minutes one contact may log.</summary>
    public const int ContactMinutes = 240;

    /// <summary>Largest measurement page.</summary>
    public const int MaxPage = 100;
}
