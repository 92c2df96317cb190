using System.Collections.Immutable;
using Huddle.Contracts.Boards;
using Huddle.Contracts.Registry;
using Huddle.Grains.Common;

namespace Huddle.Grains.Patients;

/// <summary>
/// A patient's measurement-based care as stored in the patient's row: bounded whatever the length of
/// care. Every measurement, contact and review is also a history page of its own (streams
/// <c>measurements</c>, <c>contacts</c>, <c>reviews</c>, numbered 1, 2, …), written before this row
/// counts it; the row keeps the counts, the trends (<see cref="RegistryLimits.TrendPoints"/> points an
/// instrument), the newest <see cref="RegistryLimits.RecentMeasurements"/> measurements, the minutes of
/// <see cref="RegistryLimits.MinuteMonths"/> months, the last review and what is still owed to others.
/// </summary>
[GenerateSerializer, Immutable, Alias("huddle.care-record")]
public sealed record CareRecord(
    [property: Id(0)] Enrolment? Enrolment,
    [property: Id(1)] long Measured,
    [property: Id(2)] ImmutableArray<Measurement> Recent,
    [property: Id(3)] ImmutableArray<TrendPoint> Phq9,
    [property: Id(4)] ImmutableArray<TrendPoint> Gad7,
    [property: Id(5)] long Contacted,
    [property: Id(6)] DateOnly? LastContactOn,
    [property: Id(7)] ImmutableArray<MonthMinutes> Minutes,
    [property: Id(8)] long Reviewed,
    [property: Id(9)] CaseReview? LastReview,
    [property: Id(10)] DateOnly? SafetyOn,
    [property: Id(11)] long Version,
    [property: Id(12)] OperationLog Operations,
    [property: Id(13)] ImmutableArray<CareTell> Owed,
    [property: Id(14)] ImmutableArray<CardFlag> Flags)
{
    public static readonly CareRecord Empty = new(null, 0, [], [], [], 0, null, [], 0, null, null, 0, OperationLog.Empty, [], []);

    /// <summary>The registry's view of this record (a projection; the row is the truth).</summary>
    public RegistryEntry EntryOf(string patientId, string displayName, string initials) =>
        new(patientId, displayName, initials, Enrolment, Phq9, Gad7, LastContactOn, Minutes, LastReview, SafetyOn, Version);
}

/// <summary>Whom a patient's grain tells about its care.</summary>
public enum CareTellKind
{
    /// <summary>The enrolling team's registry (<c>IRegistryGrain.TrackAsync</c>), keyed by team id.</summary>
    Registry,

    /// <summary>A team's board (the card's registry flags) and panel, keyed by team id.</summary>
    Board,

    /// <summary>The safety ping of a PHQ-9 with item 9 above 0 (a stat warm handoff to the care manager), keyed by the measurement's number.</summary>
    Safety,

    /// <summary>A psychiatric case review's recommendation as an action item on the enrolling team's board, keyed by the review's number.</summary>
    Review,
}

/// <summary>
/// One tell a patient's grain still owes, stored in the same write as the change that owes it and
/// removed once its receiver answered: the receivers take a tell twice without harm (versions, op ids,
/// deterministic handoff ids), so a tell lost to a failure or a crash is sent again, never dropped.
/// </summary>
[GenerateSerializer, Immutable, Alias("huddle.care-tell")]
public sealed record CareTell(
    [property: Id(0)] CareTellKind Kind,
    [property: Id(1)] string Key,
    [property: Id(2)] long Version,
    [property: Id(3)] string? TeamId = null,
    [property: Id(4)] string? ActorId = null,
    [property: Id(5)] string? Text = null);
