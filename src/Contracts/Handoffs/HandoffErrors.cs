using Huddle.Contracts.Common;

namespace Huddle.Contracts.Handoffs;

/// <summary>The handoff-specific error codes (docs/api.md, "Warm handoffs: errors"); the rest are <see cref="ErrorCodes"/>.</summary>
public static class HandoffErrors
{
    /// <summary>The request's patient is not on the team it asks (the patient's profile names its care teams). HTTP 422.</summary>
    public const string PatientNotOnTeam = "patient_not_on_team";

    /// <summary>Someone else accepted first; the message names them. HTTP 409.</summary>
    public const string AlreadyAccepted = "already_accepted";

    /// <summary>The transition is not allowed from the handoff's status. HTTP 409.</summary>
    public const string IllegalTransition = "illegal_transition";

    /// <summary>Another clinician already has the handoff.</summary>
    public static HuddleError Taken(string acceptedBy) => new(AlreadyAccepted, $"Already accepted by {acceptedBy}.");

    /// <summary>Patient <paramref name="patientId"/> is not on team <paramref name="teamId"/>'s care.</summary>
    public static HuddleError NotOnTeam(string patientId, string teamId) =>
        new(PatientNotOnTeam, $"Patient '{patientId}' is not on the care team '{teamId}'; a handoff is asked of one of the patient's care teams.");

    /// <summary><paramref name="op"/> cannot be applied to a handoff that is <paramref name="status"/>.</summary>
    public static HuddleError Illegal(string op, HandoffStatus status) =>
        new(IllegalTransition, $"'{op}' is not allowed on a handoff that is {status.ToString().ToLowerInvariant()}.");
}
