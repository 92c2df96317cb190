using System.Collections.Immutable;
using Huddle.Contracts.CareTeams;
using Huddle.Contracts.Common;
using Huddle.Contracts.Handoffs;

namespace Huddle.Grains.Handoffs;

/// <summary>
/// The handoff lifecycle, plain C# (docs/api.md, "Lifecycle"): a request is checked and created; each
/// later command is a transition that either returns the next handoff (one more version, one more
/// recorded step with its time and actor) or an error, and then nothing changed. Escalation is
/// <see cref="Escalation"/>'s; a decline by the last pinged target makes its next step due at once.
/// </summary>
public static class HandoffRules
{
    /// <summary>A new handoff from <paramref name="request"/>, due for routing now, or why not.</summary>
    public static Result<Handoff> Request(string handoffId, string actorId, RequestHandoff request, CareTeamProfile profile, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(profile);
        if (!profile.IsMember(actorId))
        {
            return HuddleError.Forbidden("Only clinicians on the care team can request a handoff from it.");
        }

        if (!Ids.IsValid(request.PatientId) || (request.EncounterId is { } encounter && !Ids.IsValid(encounter)))
        {
            return HuddleError.InvalidId("A patient or encounter id");
        }

        if (!Enum.IsDefined(request.Priority))
        {
            return HuddleError.Invalid("priority is one of routine, urgent, asap, stat.");
        }

        if (CheckTarget(request.Target, actorId, profile) is { } badTarget)
        {
            return badTarget;
        }

        var room = Text(request.Room, "room", HandoffLimits.Room, required: true);
        if (room.Error is { } badRoom)
        {
            return badRoom;
        }

        var reason = CheckSbar(request.Reason);
        if (reason.Error is { } badReason)
        {
            return badReason;
        }

        var requested = new HandoffEvent(now, actorId, HandoffActions.Requested, [], request.Priority.ToString().ToLowerInvariant());
        return new Handoff(handoffId, profile.TeamId, request.PatientId, room.Value!, request.EncounterId, actorId, request.Target,
            request.Priority, reason.Value!, HandoffStatus.Requested, null, null, null, [], [], EscalationSteps.None, now,
            [requested], null, 1, now);
    }

    /// <summary>Applies <paramref name="command"/> by <paramref name="actorId"/> to <paramref name="handoff"/>, or says why not.</summary>
    public static Result<Handoff> Apply(Handoff handoff, string actorId, HandoffCommand command, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(handoff);
        ArgumentNullException.ThrowIfNull(command);
        return command switch
        {
            AcceptHandoff accept => Accept(handoff, actorId, accept.EtaMinutes, now),
            DeclineHandoff decline => Decline(handoff, actorId, decline.Reason, now),
            JoinHandoff => ByAcceptor(handoff, actorId, command, HandoffStatus.Accepted, now, HandoffStatus.InProgress, HandoffActions.Joined, "in the room"),
            CompleteHandoff => ByAcceptor(handoff, actorId, command, HandoffStatus.InProgress, now, HandoffStatus.Completed, HandoffActions.Completed, null),
            CancelHandoff cancel => Cancel(handoff, actorId, cancel.Reason, now),
            ScheduleReferral schedule => Schedule(handoff, actorId, schedule.On, now),
            AttendReferral => EndReferral(handoff, actorId, command, ReferralStatus.Attended, HandoffActions.ReferralAttended, null, now),
            CloseReferral close => EndReferral(handoff, actorId, command, ReferralStatus.Closed, HandoffActions.ReferralClosed, close.Reason, now),
            _ => HandoffErrors.Illegal(command.Op, handoff.Status),
        };
    }

    /// <summary>The SBAR reason trimmed and within limits, or why not.</summary>
    public static Result<Sbar> CheckSbar(Sbar? reason)
    {
        if (reason is null)
        {
            return HuddleError.Invalid("reason (SBAR) is required, with at least its situation.");
        }

        var situation = Text(reason.Situation, "reason.situation", HandoffLimits.SbarField, required: true);
        var background = Text(reason.Background, "reason.background", HandoffLimits.SbarField);
        var assessment = Text(reason.Assessment, "reason.assessment", HandoffLimits.SbarField);
        var recommendation = Text(reason.Recommendation, "reason.recommendation", HandoffLimits.SbarField);
        return (situation.Error ?? background.Error ?? assessment.Error ?? recommendation.Error) is { } error
            ? error
            : new Sbar(situation.Value!, background.Value, assessment.Value, recommendation.Value);
    }

    private static HuddleError? CheckTarget(HandoffTarget? target, string actorId, CareTeamProfile profile)
    {
        switch (target)
        {
            case { UserId: { } userId, Role: null }:
                return userId == actorId ? HuddleError.Invalid("A handoff cannot target its requester.")
                    : profile.IsMember(userId) ? null
                    : HuddleError.NotFound("Team member", userId);
            case { UserId: null, Role: { } role } when Enum.IsDefined(role):
                return profile.Members.Any(m => m.Role == role && m.UserId != actorId) ? null
                    : HuddleError.Invalid($"Nobody else on the team holds the role '{role}'.");
            default:
                return HuddleError.Invalid("target names exactly one of userId or role.");
        }
    }

    private static Result<Handoff> Accept(Handoff handoff, string actorId, int etaMinutes, DateTimeOffset now)
    {
        if (handoff.AcceptedBy is { } holder && holder != actorId)
        {
            return HandoffErrors.Taken(holder);
        }

        if (handoff.Status != HandoffStatus.Requested)
        {
            return HandoffErrors.Illegal("accept", handoff.Status);
        }

        if (NotPinged(handoff, actorId, "accept") is { } notPinged)
        {
            return notPinged;
        }

        if (etaMinutes is < 0 or > HandoffLimits.MaxEtaMinutes)
        {
            return HuddleError.Invalid($"etaMinutes is 0-{HandoffLimits.MaxEtaMinutes}.");
        }

        var eta = $"ETA {etaMinutes} min";
        return Next(handoff with { Status = HandoffStatus.Accepted, AcceptedBy = actorId, Eta = now.AddMinutes(etaMinutes), BusinessStatus = eta, DeadlineAt = null },
            new HandoffEvent(now, actorId, HandoffActions.Accepted, [actorId], eta));
    }

    private static Result<Handoff> Decline(Handoff handoff, string actorId, string? reason, DateTimeOffset now)
    {
        if (handoff.Status != HandoffStatus.Requested)
        {
            return HandoffErrors.Illegal("decline", handoff.Status);
        }

        if (NotPinged(handoff, actorId, "decline") is { } notPinged)
        {
            return notPinged;
        }

        var text = Text(reason, "reason", HandoffLimits.Reason, required: true);
        if (text.Error is { } bad)
        {
            return bad;
        }

        var declined = handoff.Declined.Add(actorId);
        // Nobody pinged is left to answer: the next escalation step need not wait.
        var due = handoff.Notified.All(declined.Contains) ? now : handoff.DeadlineAt;
        return Next(handoff with { Declined = declined, DeadlineAt = due },
            new HandoffEvent(now, actorId, HandoffActions.Declined, [actorId], text.Value));
    }

    private static Result<Handoff> ByAcceptor(Handoff handoff, string actorId, HandoffCommand command, HandoffStatus from, DateTimeOffset now,
        HandoffStatus to, string action, string? businessStatus)
    {
        if (handoff.Status != from)
        {
            return HandoffErrors.Illegal(command.Op, handoff.Status);
        }

        if (handoff.AcceptedBy != actorId)
        {
            return HuddleError.Forbidden($"Only the clinician who accepted the handoff can {command.Op} it.");
        }

        return Next(handoff with { Status = to, BusinessStatus = businessStatus }, new HandoffEvent(now, actorId, action, [actorId]));
    }

    private static Result<Handoff> Cancel(Handoff handoff, string actorId, string? reason, DateTimeOffset now)
    {
        if (handoff.RequesterId != actorId)
        {
            return HuddleError.Forbidden("Only the requester can cancel a handoff.");
        }

        if (handoff.Status is not (HandoffStatus.Requested or HandoffStatus.Accepted))
        {
            return HandoffErrors.Illegal("cancel", handoff.Status);
        }

        var text = Text(reason, "reason", HandoffLimits.Reason);
        if (text.Error is { } bad)
        {
            return bad;
        }

        return Next(handoff with { Status = HandoffStatus.Cancelled, BusinessStatus = null, DeadlineAt = null },
            new HandoffEvent(now, actorId, HandoffActions.Cancelled, [], text.Value));
    }

    private static Result<Handoff> Schedule(Handoff handoff, string actorId, DateOnly? on, DateTimeOffset now)
    {
        if (handoff.RequesterId != actorId)
        {
            return HuddleError.Forbidden("Only the requester can schedule the referral.");
        }

        if (handoff.Status is not (HandoffStatus.Failed or HandoffStatus.Declined) || handoff.Referral is not null)
        {
            return HandoffErrors.Illegal("scheduleReferral", handoff.Status);
        }

        return Next(handoff with { Referral = new Referral(ReferralStatus.Scheduled, on, now), BusinessStatus = "referral scheduled" },
            new HandoffEvent(now, actorId, HandoffActions.ReferralScheduled, [], on?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)));
    }

    private static Result<Handoff> EndReferral(Handoff handoff, string actorId, HandoffCommand command, ReferralStatus to, string action, string? reason, DateTimeOffset now)
    {
        if (handoff.RequesterId != actorId)
        {
            return HuddleError.Forbidden("Only the requester can update the referral.");
        }

        if (handoff.Referral is not { Status: ReferralStatus.Scheduled } referral)
        {
            return HandoffErrors.Illegal(command.Op, handoff.Status);
        }

        var text = Text(reason, "reason", HandoffLimits.Reason);
        if (text.Error is { } bad)
        {
            return bad;
        }

        return Next(handoff with { Referral = referral with { Status = to, EndedAt = now }, BusinessStatus = $"referral {to.ToString().ToLowerInvariant()}" },
            new HandoffEvent(now, actorId, action, [], text.Value));
    }

    private static HuddleError? NotPinged(Handoff handoff, string actorId, string op) =>
        !handoff.Notified.Contains(actorId) ? HuddleError.Forbidden($"Only a clinician this handoff was sent to can {op} it.")
        : handoff.Declined.Contains(actorId) ? HuddleError.State("You already declined this handoff.")
        : null;

    /// <summary>One accepted step: the next version with the step recorded.</summary>
    internal static Handoff Next(Handoff handoff, HandoffEvent step) =>
        handoff with { Version = handoff.Version + 1, History = handoff.History.Add(step) };

    private static Result<string?> Text(string? value, string field, int max, bool required = false)
    {
        var text = value?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            return required ? HuddleError.Invalid($"{field} is required.") : Result<string?>.Success(null);
        }

        if (text.Length > max)
        {
            return HuddleError.Invalid($"{field} is at most {max} characters.");
        }

        return text.Any(c => char.IsControl(c) && c is not '\n' and not '\t')
            ? HuddleError.Invalid($"{field} may not contain control characters.")
            : text;
    }
}
