namespace Huddle.Contracts.Handoffs;

/// <summary>
/// The text of a notification: priority, room and what happened, never the patient or the reason
/// ("Urgent warm handoff — Exam 3 — open Huddle"), so it may show on a lock screen or be read aloud.
/// </summary>
public static class HandoffNotices
{
    /// <summary>The notice for a change of <paramref name="item"/>; <paramref name="ping"/> when it asks the reader to answer.</summary>
    public static string For(HandoffSummary item, bool ping)
    {
        ArgumentNullException.ThrowIfNull(item);
        var what = ping ? $"{Priority(item.Priority)} warm handoff" : $"Warm handoff {Status(item)}";
        return $"{what} — {item.Room} — open Huddle";
    }

    private static string Priority(HandoffPriority priority) => priority switch
    {
        HandoffPriority.Stat => "STAT",
        HandoffPriority.Asap => "ASAP",
        HandoffPriority.Urgent => "Urgent",
        _ => "Routine",
    };

    private static string Status(HandoffSummary item) => item.Status switch
    {
        HandoffStatus.Requested => item.BusinessStatus ?? "requested",
        HandoffStatus.Accepted => "accepted",
        HandoffStatus.Declined => "declined",
        HandoffStatus.InProgress => "in progress",
        HandoffStatus.Completed => "completed",
        HandoffStatus.Cancelled => "cancelled",
        _ => "failed: no response",
    };
}
