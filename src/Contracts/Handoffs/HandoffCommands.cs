namespace Huddle.Contracts.Handoffs;

/// <summary>
/// A change to a handoff, by the user who makes it. <see cref="OpId"/> (1-64 letters, digits, '-',
/// '_', '.') makes a retry return the first result and apply nothing twice.
/// </summary>
[GenerateSerializer, Immutable, Alias("huddle.handoff-cmd")]
public abstract record HandoffCommand
{
    /// <summary>The caller's id for this operation; see <see cref="HandoffCommand"/>.</summary>
    [Id(0)]
    public string? OpId { get; init; }

    /// <summary>The operation's public name (<see cref="HandoffOperations"/>), e.g. "accept".</summary>
    public string Op => HandoffOperations.NameOf(GetType());
}

/// <summary>Asks for a warm handoff: the handoff grain with a new id routes, pings and escalates it.</summary>
[GenerateSerializer, Immutable, Alias("huddle.handoff-cmd.request")]
public sealed record RequestHandoff(
    [property: Id(0)] string TeamId,
    [property: Id(1)] string PatientId,
    [property: Id(2)] string Room,
    [property: Id(3)] HandoffTarget Target,
    [property: Id(4)] HandoffPriority Priority,
    [property: Id(5)] Sbar Reason,
    [property: Id(6)] string? EncounterId = null) : HandoffCommand;

/// <summary>A pinged clinician takes the handoff, arriving in <see cref="EtaMinutes"/> (0-120).</summary>
[GenerateSerializer, Immutable, Alias("huddle.handoff-cmd.accept")]
public sealed record AcceptHandoff([property: Id(0)] int EtaMinutes) : HandoffCommand;

/// <summary>A pinged clinician cannot take it; when everyone pinged declined, it escalates at once.</summary>
[GenerateSerializer, Immutable, Alias("huddle.handoff-cmd.decline")]
public sealed record DeclineHandoff([property: Id(0)] string Reason) : HandoffCommand;

/// <summary>The clinician who accepted joined the room (FHIR in-progress); their presence turns "in session".</summary>
[GenerateSerializer, Immutable, Alias("huddle.handoff-cmd.join")]
public sealed record JoinHandoff : HandoffCommand;

/// <summary>The clinician who joined finished the handoff.</summary>
[GenerateSerializer, Immutable, Alias("huddle.handoff-cmd.complete")]
public sealed record CompleteHandoff : HandoffCommand;

/// <summary>The requester withdraws the handoff (while requested or accepted).</summary>
[GenerateSerializer, Immutable, Alias("huddle.handoff-cmd.cancel")]
public sealed record CancelHandoff([property: Id(0)] string? Reason = null) : HandoffCommand;

/// <summary>The requester falls back to a scheduled referral after a failed or declined handoff.</summary>
[GenerateSerializer, Immutable, Alias("huddle.handoff-cmd.schedule-referral")]
public sealed record ScheduleReferral([property: Id(0)] DateOnly? On = null) : HandoffCommand;

/// <summary>The requester records that the patient attended the referral.</summary>
[GenerateSerializer, Immutable, Alias("huddle.handoff-cmd.attend-referral")]
public sealed record AttendReferral : HandoffCommand;

/// <summary>The requester closes the referral unattended (no-show, no longer needed).</summary>
[GenerateSerializer, Immutable, Alias("huddle.handoff-cmd.close-referral")]
public sealed record CloseReferral([property: Id(0)] string? Reason = null) : HandoffCommand;
