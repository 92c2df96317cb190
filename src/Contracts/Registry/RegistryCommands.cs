using System.Collections.Immutable;

namespace Huddle.Contracts.Registry;

/// <summary>
/// A change to a patient's measurement-based care, by the clinician who makes it. <see cref="OpId"/>
/// (1-64 letters, digits, '-', '_', '.') makes a retry return the first result and apply nothing twice.
/// </summary>
[GenerateSerializer, Immutable, Alias("huddle.care-cmd")]
public abstract record CareCommand
{
    [Id(0)]
    public string? OpId { get; init; }

    /// <summary>The operation's public name, e.g. "recordMeasurement".</summary>
    public abstract string Op { get; }
}

/// <summary>Records a PHQ-9 (9 items) or GAD-7 (7 items), each item 0-3, taken on <see cref="On"/> (default: the team's today; never in the future).</summary>
[GenerateSerializer, Immutable, Alias("huddle.care-cmd.measure")]
public sealed record RecordMeasurement(
    [property: Id(0)] Instrument Instrument,
    [property: Id(1)] ImmutableArray<int> Items,
    [property: Id(2)] DateOnly? On = null) : CareCommand
{
    public override string Op => "recordMeasurement";
}

/// <summary>Enrols the patient in a team's registry with a care manager and (optionally) a consulting psychiatrist, both members of the team.</summary>
[GenerateSerializer, Immutable, Alias("huddle.care-cmd.enrol")]
public sealed record Enrol(
    [property: Id(0)] string TeamId,
    [property: Id(1)] string CareManagerId,
    [property: Id(2)] string? PsychiatristId = null,
    [property: Id(3)] DateOnly? On = null) : CareCommand
{
    public override string Op => "enrol";
}

/// <summary>Ends the active enrolment (treatment finished, moved, declined).</summary>
[GenerateSerializer, Immutable, Alias("huddle.care-cmd.discharge")]
public sealed record Discharge([property: Id(0)] DateOnly? On = null) : CareCommand
{
    public override string Op => "discharge";
}

/// <summary>Logs a care-manager contact of 1-240 minutes.</summary>
[GenerateSerializer, Immutable, Alias("huddle.care-cmd.contact")]
public sealed record LogContact(
    [property: Id(0)] ContactKind Kind,
    [property: Id(1)] int Minutes,
    [property: Id(2)] DateOnly? On = null) : CareCommand
{
    public override string Op => "logContact";
}

/// <summary>Records a psychiatric case review; the recommendation goes to the team's board as an action item.</summary>
[GenerateSerializer, Immutable, Alias("huddle.care-cmd.review")]
public sealed record RecordReview([property: Id(0)] string Recommendation) : CareCommand
{
    public override string Op => "recordReview";
}
