using Huddle.Contracts.Handoffs;
using MudBlazor;

namespace Huddle.Web.Handoffs;

/// <summary>Warm handoffs as clinicians say them: priorities, where a handoff stands, what each step was.</summary>
public static class HandoffWords
{
    /// <summary>ETAs offered on the accept buttons, in minutes (0 = on my way now).</summary>
    public static readonly int[] EtaChoices = [0, 2, 5, 10, 15];

    public static string Priority(HandoffPriority priority) => priority switch
    {
        HandoffPriority.Stat => "STAT",
        HandoffPriority.Asap => "ASAP",
        HandoffPriority.Urgent => "Urgent",
        _ => "Routine",
    };

    public static Color PriorityColor(HandoffPriority priority) => priority switch
    {
        HandoffPriority.Stat or HandoffPriority.Asap => Color.Error,
        HandoffPriority.Urgent => Color.Warning,
        _ => Color.Default,
    };

    /// <summary><paramref name="at"/> on the team's clock (its time zone; UTC when the zone is unknown).</summary>
    public static DateTimeOffset TeamTime(DateTimeOffset at, string? timeZoneId) =>
        timeZoneId is not null && TimeZoneInfo.TryFindSystemTimeZoneById(timeZoneId, out var zone) ? TimeZoneInfo.ConvertTime(at, zone) : at;

    /// <summary>The label of the team's clock where a time could be misread: "Chicago time", "UTC".</summary>
    public static string ZoneLabel(string? timeZoneId) =>
        timeZoneId is null or "UTC" or "Etc/UTC" ? "UTC" : $"{timeZoneId[(timeZoneId.LastIndexOf('/') + 1)..].Replace('_', ' ')} time";

    /// <summary>
    /// A ping's toast inside Huddle: priority, room, who asked and when, so four pings read as four
    /// ("Urgent warm handoff · Exam 1 · from Dr. Pat Carter at 14:05"). No patient, no reason: a toast
    /// shows over any page; no "open Huddle" either: Huddle is open, the toast has its own Open button.
    /// </summary>
    public static string Toast(HandoffSummary item, string requester, DateTimeOffset requestedAtTeamTime)
    {
        ArgumentNullException.ThrowIfNull(item);
        return $"{Priority(item.Priority)} warm handoff · {item.Room} · from {requester} at {requestedAtTeamTime.ToString("HH:mm", System.Globalization.CultureInfo.InvariantCulture)}";
    }

    public static string Eta(int minutes) => minutes == 0 ? "Now" : $"{minutes} min";

    /// <summary>
    /// One line saying where <paramref name="item"/> stands, for the viewer at <paramref name="now"/>:
    /// "Accepted by Sam Okafor, arriving in 3 min" (then "due now", "overdue 1 min": redraw it with an
    /// <see cref="EtaTicker"/>), "Waiting — escalated to backup 1", "No response — schedule a referral?".
    /// </summary>
    public static string Status(HandoffSummary item, LiveInbox live, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(live);
        return Status(item, live.UserId, userId => live.NameOf(item.TeamId, userId), now, live.IsPingedFor(item));
    }

    /// <summary>
    /// The same line for any viewer, with names from <paramref name="nameOf"/>; "waiting for you" only
    /// when <paramref name="viewerPinged"/> (the board, the wall and a patient's list say "waiting for an answer").
    /// </summary>
    public static string Status(HandoffSummary item, string viewerId, Func<string?, string> nameOf, DateTimeOffset now, bool viewerPinged = false)
    {
        ArgumentNullException.ThrowIfNull(item);
        ArgumentNullException.ThrowIfNull(nameOf);
        var requester = item.RequesterId == viewerId;
        var acceptor = nameOf(item.AcceptedBy);
        // Who declined is put in words for the requester only: this line also shows on the team's wall (for what
        // the wall's own line leaves to it). Who is still to answer is named, to the requester and the team.
        var waiting = requester || !viewerPinged ? Waiting(item, nameOf) : item.HasDeclined(viewerId) ? "Waiting for others to answer" : "Waiting for you to answer";
        return item.Status switch
        {
            HandoffStatus.Requested when item.BusinessStatus is null or "pinged" => waiting,
            HandoffStatus.Requested => $"{waiting} — {item.BusinessStatus}",
            HandoffStatus.Accepted => item.Eta is { } eta ? $"Accepted by {acceptor}, {Countdown(eta, now)}" : $"Accepted by {acceptor}",
            HandoffStatus.InProgress => $"In the room: {acceptor}",
            HandoffStatus.Completed => $"Completed by {acceptor}",
            HandoffStatus.Cancelled => "Cancelled by the requester",
            _ when item.Referral is ReferralStatus.Scheduled => "Referral scheduled",
            _ when item.Referral is ReferralStatus.Attended => "Referral attended",
            _ when item.Referral is ReferralStatus.Closed => "Referral closed",
            HandoffStatus.Failed => requester ? "No response — schedule a referral?" : "No response",
            _ => requester ? $"{DeclinedBy(item, nameOf)} — schedule a referral?" : "Declined",
        };
    }

    /// <summary>"Declined by B. Okafor", "… by B. Okafor and C. Diaz", "… by all 3 pinged": to the requester only.</summary>
    private static string DeclinedBy(HandoffSummary item, Func<string?, string> nameOf) => item.Declined.Length switch
    {
        0 => "Declined by everyone pinged",
        1 => $"Declined by {nameOf(item.Declined[0])}",
        2 => $"Declined by {nameOf(item.Declined[0])} and {nameOf(item.Declined[1])}",
        var n => $"Declined by all {n} pinged",
    };

    /// <summary>
    /// Who a requested handoff waits for: "Waiting for B. Okafor", "… for B. Okafor or C. Diaz", "… for B. Okafor,
    /// C. Diaz or 2 others"; "Waiting for an answer" when nobody is left or the summary predates the names.
    /// </summary>
    private static string Waiting(HandoffSummary item, Func<string?, string> nameOf)
    {
        var waiting = item.Waiting.ToList();
        var names = waiting.Take(waiting.Count > 3 ? 2 : 3).Select(nameOf).ToList();
        return waiting.Count switch
        {
            0 => "Waiting for an answer",
            1 => $"Waiting for {names[0]}",
            <= 3 => $"Waiting for {string.Join(", ", names[..^1])} or {names[^1]}",
            _ => $"Waiting for {string.Join(", ", names)} or {waiting.Count - names.Count} others",
        };
    }

    /// <summary>What a history step was, in words.</summary>
    public static string Step(HandoffEvent step, string teamId, LiveInbox live)
    {
        ArgumentNullException.ThrowIfNull(live);
        return Step(step, userId => live.NameOf(teamId, userId));
    }

    /// <summary>What a history step was, in words, with names from <paramref name="nameOf"/>.</summary>
    public static string Step(HandoffEvent step, Func<string?, string> nameOf)
    {
        ArgumentNullException.ThrowIfNull(step);
        ArgumentNullException.ThrowIfNull(nameOf);
        var who = step.ActorId == "system" ? "Huddle" : Capitalized(nameOf(step.ActorId));
        var whom = string.Join(", ", step.UserIds.Select(u => nameOf(u)));
        var what = step.Action switch
        {
            HandoffActions.Requested => "requested the handoff",
            HandoffActions.Pinged => $"pinged {whom}",
            HandoffActions.Escalated => $"escalated to {whom}",
            // "skipped backup 1: nobody new to ping" (its detail is the step, said here, not appended).
            HandoffActions.Skipped when step.Detail is { Length: > 0 } skipped && skipped != EscalationSteps.TargetsDetail => $"skipped {skipped}: nobody new to ping",
            HandoffActions.Skipped => "skipped a step: nobody new to ping",
            HandoffActions.Accepted => "accepted",
            HandoffActions.Declined => "declined",
            HandoffActions.Joined => "joined the room",
            HandoffActions.Completed => "completed the handoff",
            HandoffActions.Cancelled => "cancelled the request",
            HandoffActions.NoResponse => "marked it: no response",
            HandoffActions.AllDeclined => "marked it: declined by everyone pinged",
            HandoffActions.ReferralScheduled => "scheduled a referral",
            HandoffActions.ReferralAttended => "recorded the referral as attended",
            HandoffActions.ReferralClosed => "closed the referral",
            _ => step.Action,
        };
        // The escalation's step names a backup ("backup 1", "the whole role"); its first step ("target", whom the
        // request named) says nothing the words do not.
        return step.Action != HandoffActions.Skipped && step.Detail is { Length: > 0 } detail && detail != EscalationSteps.TargetsDetail
            ? $"{who} {what} ({detail})"
            : $"{who} {what}";
    }

    /// <summary>
    /// The time left to <paramref name="eta"/> at <paramref name="now"/> in whole minutes: "arriving in
    /// 3 min" (rounded up, so never sooner than promised), "due now" for its first minute, then
    /// "overdue 1 min", "overdue 2 min"…
    /// </summary>
    public static string Countdown(DateTimeOffset eta, DateTimeOffset now)
    {
        // Whole seconds first: the milliseconds between the accept and this screen's render must not
        // turn "5 min" into "arriving in 6 min".
        var left = (long)Math.Floor((eta - now).TotalSeconds);
        if (left > 0)
        {
            return $"arriving in {(left + 59) / 60} min";
        }

        var overdue = -left / 60;
        return overdue == 0 ? "due now" : $"overdue {overdue} min";
    }

    private static string Capitalized(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];
}
