using System.Collections.Immutable;

namespace Huddle.Contracts.Audit;

/// <summary>How an audited call ended.</summary>
public enum AuditOutcome
{
    /// <summary>The call did what was asked (a read answered, a change applied).</summary>
    Allowed,

    /// <summary>Refused: the caller may not see or do this (<c>forbidden</c>, or <c>not_found</c> for what they may not know of).</summary>
    Denied,

    /// <summary>Refused as bad input or an illegal step (<c>invalid</c>, <c>illegal_transition</c>, <c>limit_exceeded</c>…): nothing changed.</summary>
    Rejected,

    /// <summary>The call failed (an exception, or <c>unavailable</c>): nothing is promised.</summary>
    Failed,
}

/// <summary>
/// One audited call on patient data (HIPAA 164.312(b)): who, what, on which record, when, from which
/// connection, and how it ended. Ids only, never names or free text.
/// </summary>
[GenerateSerializer, Immutable, Alias("huddle.audit-record")]
public sealed record AuditRecord(
    // When the call was answered (UTC).
    [property: Id(0)] DateTimeOffset At,

    // The Huddle user on whose behalf the call was made.
    [property: Id(1)] string UserId,

    // The operation: the grain interface and method, e.g. Thread.Send, Feed.Open.
    [property: Id(2)] string Action,

    // The kind of record acted on (the grain type: careteam, patient, handoff, thread…).
    [property: Id(3)] string TargetKind,

    // The record's id (the grain key).
    [property: Id(4)] string TargetId,

    // The patient whose data it was, when the record is a patient's or names one.
    [property: Id(5)] string? PatientId,

    [property: Id(6)] AuditOutcome Outcome,

    // The error code when not allowed (forbidden, not_found, invalid…), else null.
    [property: Id(7)] string? Code,

    // How the call came in: hub, http or circuit (an interactive page).
    [property: Id(8)] string Client,

    // The hub connection, circuit or HTTP request id it came through.
    [property: Id(9)] string Connection,

    // An id within the target the call made or read (an emergency access's number), else null.
    [property: Id(10)] string? Ref = null);

/// <summary>One stored page of an audit log, newest records last.</summary>
[GenerateSerializer, Immutable, Alias("huddle.audit-page")]
public sealed record AuditPage(
    [property: Id(0)] long Number,
    [property: Id(1)] ImmutableArray<AuditRecord> Records);

/// <summary>Pages of an audit log read newest first (<see cref="IAuditLog.ReadAsync"/>).</summary>
[GenerateSerializer, Immutable, Alias("huddle.audit-read")]
public sealed record AuditRead(
    [property: Id(0)] ImmutableArray<AuditPage> Pages,

    // Pass as before to read further back; null when there is nothing older.
    [property: Id(1)] long? Before);
