namespace Huddle.Contracts.Handoffs;

/// <summary>How fast a handoff is needed (FHIR CommunicationRequest.priority); decides its escalation times.</summary>
public enum HandoffPriority
{
    Routine,
    Urgent,
    Asap,
    Stat,
}

/// <summary>
/// Where a handoff stands, mapped to FHIR <c>Task.status</c> by <see cref="HandoffStatuses.FhirCode"/>.
/// On the wire as camelCase strings (<c>inProgress</c>).
/// </summary>
public enum HandoffStatus
{
    /// <summary>Waiting for a target to accept; escalates on the team's policy.</summary>
    Requested,

    /// <summary>A target accepted with an ETA.</summary>
    Accepted,

    /// <summary>Every target pinged declined, to the end of the escalation (FHIR <c>rejected</c>).</summary>
    Declined,

    /// <summary>The consultant joined the room.</summary>
    InProgress,

    /// <summary>The warm handoff took place.</summary>
    Completed,

    /// <summary>The requester withdrew it.</summary>
    Cancelled,

    /// <summary>Nobody accepted in time ("no response"); a referral may be scheduled instead.</summary>
    Failed,
}

/// <summary>The scheduled referral a failed or declined handoff falls back to, tracked until attended or closed.</summary>
public enum ReferralStatus
{
    Scheduled,
    Attended,
    Closed,
}
