namespace Huddle.Contracts.Handoffs;

/// <summary>The lifecycle's declared facts: FHIR codes and which statuses are still open.</summary>
public static class HandoffStatuses
{
    /// <summary>FHIR R4 <c>Task.status</c> for <paramref name="status"/>.</summary>
    public static string FhirCode(HandoffStatus status) => status switch
    {
        HandoffStatus.Requested => "requested",
        HandoffStatus.Accepted => "accepted",
        HandoffStatus.Declined => "rejected",
        HandoffStatus.InProgress => "in-progress",
        HandoffStatus.Completed => "completed",
        HandoffStatus.Cancelled => "cancelled",
        HandoffStatus.Failed => "failed",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };

    /// <summary>True while a clinician still has something to do about it.</summary>
    public static bool IsOpen(HandoffStatus status, ReferralStatus? referral) => status switch
    {
        HandoffStatus.Requested or HandoffStatus.Accepted or HandoffStatus.InProgress => true,
        HandoffStatus.Failed or HandoffStatus.Declined => referral == ReferralStatus.Scheduled,
        _ => false,
    };
}
