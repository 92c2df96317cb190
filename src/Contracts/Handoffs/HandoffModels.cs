using System.Collections.Immutable;
using Huddle.Contracts.CareTeams;

namespace Huddle.Contracts.Handoffs;

/// <summary>The reason for a handoff in SBAR form; short texts (<see cref="HandoffLimits"/>), only the situation required.</summary>
[GenerateSerializer, Immutable, Alias("huddle.sbar")]
public sealed record Sbar(
    [property: Id(0)] string Situation,
    [property: Id(1)] string? Background = null,
    [property: Id(2)] string? Assessment = null,
    [property: Id(3)] string? Recommendation = null);

/// <summary>Who a handoff is for: a named clinician (<see cref="UserId"/>) or a role on the team (<see cref="Role"/>); exactly one.</summary>
[GenerateSerializer, Immutable, Alias("huddle.handoff-target")]
public sealed record HandoffTarget(
    [property: Id(0)] string? UserId = null,
    [property: Id(1)] CareTeamRole? Role = null);

/// <summary>One recorded step of a handoff: what happened (<see cref="HandoffActions"/>), when, by whom, about whom.</summary>
[GenerateSerializer, Immutable, Alias("huddle.handoff-event")]
public sealed record HandoffEvent(
    [property: Id(0)] DateTimeOffset At,
    [property: Id(1)] string ActorId,
    [property: Id(2)] string Action,
    [property: Id(3)] ImmutableArray<string> UserIds,
    [property: Id(4)] string? Detail = null);

/// <summary>The scheduled referral a failed or declined handoff fell back to.</summary>
[GenerateSerializer, Immutable, Alias("huddle.referral")]
public sealed record Referral(
    [property: Id(0)] ReferralStatus Status,
    [property: Id(1)] DateOnly? ScheduledFor,
    [property: Id(2)] DateTimeOffset ScheduledAt,
    [property: Id(3)] DateTimeOffset? EndedAt = null);

/// <summary>
/// A warm handoff, the tracked object (FHIR Task): what was asked, of whom, where it stands, who was
/// pinged, and every step with its time and actor. <see cref="Version"/> counts accepted changes.
/// <see cref="Step"/> is the escalation step reached (<see cref="EscalationSteps"/>) and
/// <see cref="DeadlineAt"/> when the next one is due, while the handoff is requested. <see cref="StaleAt"/> is
/// when an accepted handoff or a scheduled referral nobody finished is closed as stale (the stale policy).
/// </summary>
[GenerateSerializer, Immutable, Alias("huddle.handoff")]
public sealed record Handoff(
    [property: Id(0)] string HandoffId,
    [property: Id(1)] string TeamId,
    [property: Id(2)] string PatientId,
    [property: Id(3)] string Room,
    [property: Id(4)] string? EncounterId,
    [property: Id(5)] string RequesterId,
    [property: Id(6)] HandoffTarget Target,
    [property: Id(7)] HandoffPriority Priority,
    [property: Id(8)] Sbar Reason,
    [property: Id(9)] HandoffStatus Status,
    [property: Id(10)] string? BusinessStatus,
    [property: Id(11)] string? AcceptedBy,
    [property: Id(12)] DateTimeOffset? Eta,
    [property: Id(13)] ImmutableArray<string> Notified,
    [property: Id(14)] ImmutableArray<string> Declined,
    [property: Id(15)] int Step,
    [property: Id(16)] DateTimeOffset? DeadlineAt,
    [property: Id(17)] ImmutableArray<HandoffEvent> History,
    [property: Id(18)] Referral? Referral,
    [property: Id(19)] long Version,
    [property: Id(20)] DateTimeOffset RequestedAt,
    [property: Id(21)] DateTimeOffset? StaleAt = null)
{
    /// <summary>True while someone still has something to do about it.</summary>
    public bool IsOpen => HandoffStatuses.IsOpen(Status, Referral?.Status);

    /// <summary>The users whose inbox carries this handoff: the requester and everyone pinged.</summary>
    public IEnumerable<string> Involved => Notified.Prepend(RequesterId).Distinct(StringComparer.Ordinal);

    /// <summary>What the inboxes and the team's board show: no patient, no reason.</summary>
    public HandoffSummary Summary() =>
        new(HandoffId, TeamId, Room, Priority, Status, BusinessStatus, RequesterId, AcceptedBy, Eta, Referral?.Status, RequestedAt, Version, Declined) { PatientId = PatientId, Notified = Notified };
}

/// <summary>
/// A handoff as inboxes, notifications and the team's board carry it: ids, room, priority and where it
/// stands, never the patient or the reason (those load when a clinician opens it, and the open is logged).
/// <see cref="Declined"/> names the clinicians who declined it (user ids, not patient data), so an inbox
/// read after a reload still knows who answered no.
/// </summary>
[GenerateSerializer, Immutable, Alias("huddle.handoff-summary")]
public sealed record HandoffSummary(
    [property: Id(0)] string HandoffId,
    [property: Id(1)] string TeamId,
    [property: Id(2)] string Room,
    [property: Id(3)] HandoffPriority Priority,
    [property: Id(4)] HandoffStatus Status,
    [property: Id(5)] string? BusinessStatus,
    [property: Id(6)] string RequesterId,
    [property: Id(7)] string? AcceptedBy,
    [property: Id(8)] DateTimeOffset? Eta,
    [property: Id(9)] ReferralStatus? Referral,
    [property: Id(10)] DateTimeOffset RequestedAt,
    [property: Id(11)] long Version,
    ImmutableArray<string> Declined)
{
    // The field is what is serialized: a summary stored before it existed reads back with a default
    // array, which the property turns into an empty one (a default array throws when enumerated).
    [Id(12)]
    private readonly ImmutableArray<string> _declined = Declined;

    /// <summary>
    /// The patient's opaque id (never a name or anything about them), so a view of one patient (the EHR
    /// widget) picks that patient's handoffs out of the team's feed; null for summaries stored before it.
    /// </summary>
    [Id(13)]
    public string? PatientId { get; init; }

    // As Declined: a summary stored before it reads back a default array.
    [Id(14)]
    private readonly ImmutableArray<string> _notified;

    /// <summary>
    /// The user ids of everyone pinged so far, in order (the routing's targets, then each escalation's),
    /// bounded by the team's roster; empty for summaries stored before this field. Who is still to answer
    /// a requested handoff is these less <see cref="Declined"/> ("Waiting for B. Okafor").
    /// </summary>
    public ImmutableArray<string> Notified
    {
        get => _notified.IsDefault ? [] : _notified;
        init => _notified = value;
    }

    /// <summary>Who is still to answer: pinged and not declined, in the order pinged.</summary>
    public IEnumerable<string> Waiting => Notified.Where(u => !HasDeclined(u));

    /// <summary>The user ids of those who declined, in order; empty for summaries stored before this field.</summary>
    public ImmutableArray<string> Declined
    {
        get => _declined.IsDefault ? [] : _declined;
        init => _declined = value;
    }

    /// <summary>True while someone still has something to do about it.</summary>
    public bool IsOpen => HandoffStatuses.IsOpen(Status, Referral);

    /// <summary>True when <paramref name="userId"/> declined this handoff.</summary>
    public bool HasDeclined(string? userId) => userId is not null && Declined.Contains(userId, StringComparer.Ordinal);
}
