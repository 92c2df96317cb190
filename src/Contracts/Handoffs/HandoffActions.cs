namespace Huddle.Contracts.Handoffs;

/// <summary>The declared names of a handoff's recorded steps (<see cref="HandoffEvent.Action"/>), part of the API.</summary>
public static class HandoffActions
{
    public const string Requested = "requested";
    public const string Pinged = "pinged";
    public const string Escalated = "escalated";
    public const string Skipped = "skipped";
    public const string Accepted = "accepted";
    public const string Declined = "declined";
    public const string Joined = "joined";
    public const string Completed = "completed";
    public const string Cancelled = "cancelled";
    public const string NoResponse = "noResponse";
    public const string AllDeclined = "allDeclined";
    public const string ReferralScheduled = "referralScheduled";
    public const string ReferralAttended = "referralAttended";
    public const string ReferralClosed = "referralClosed";

    /// <summary>Nobody finished it in time (the stale policy): an accepted handoff never completed, a referral never attended.</summary>
    public const string ClosedAsStale = "closedAsStale";

    /// <summary>The handoff's team no longer exists: it cannot route or escalate, so it ends as failed.</summary>
    public const string TeamMissing = "teamMissing";
}
