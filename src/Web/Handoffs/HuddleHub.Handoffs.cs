using Huddle.Contracts.Common;
using Huddle.Contracts.Live;
using Huddle.Contracts.Handoffs;
using Huddle.Web.Handoffs;

namespace Huddle.Web.Live;

/// <summary>
/// The warm handoff hub methods (docs/api.md, "Warm handoffs"). A part of the one hub; every command
/// takes an optional <c>opId</c> (null for none) that makes a retry apply once.
/// </summary>
public sealed partial class HuddleHub
{
    /// <summary>Requests a warm handoff; the reply's <c>handoffId</c> names it from now on.</summary>
    public Task<Result<HandoffSummary>> RequestHandoff(RequestHandoff request, HandoffService handoffs)
    {
        ArgumentNullException.ThrowIfNull(handoffs);
        return handoffs.RequestAsync(UserId, request);
    }

    /// <summary>
    /// Readies the handoff a later <see cref="RequestHandoff"/> with <paramref name="opId"/> will create (call it
    /// when the request form opens): its grain's read happens now, not on the ping's path. Returns the
    /// handoff's id; changes nothing.
    /// </summary>
    public Task<Result<string>> PrepareHandoff(string opId, HandoffService handoffs)
    {
        ArgumentNullException.ThrowIfNull(handoffs);
        return handoffs.PrepareAsync(UserId, opId);
    }

    /// <summary>Accepts a handoff this user was pinged for, arriving in <paramref name="etaMinutes"/>.</summary>
    public Task<Result<HandoffSummary>> AcceptHandoff(string handoffId, int etaMinutes, string? opId, HandoffService handoffs) =>
        Run(handoffs, handoffId, new AcceptHandoff(etaMinutes) { OpId = opId });

    /// <summary>Declines a handoff this user was pinged for.</summary>
    public Task<Result<HandoffSummary>> DeclineHandoff(string handoffId, string reason, string? opId, HandoffService handoffs) =>
        Run(handoffs, handoffId, new DeclineHandoff(reason) { OpId = opId });

    /// <summary>The accepting clinician joined the room.</summary>
    public Task<Result<HandoffSummary>> JoinHandoff(string handoffId, string? opId, HandoffService handoffs) =>
        Run(handoffs, handoffId, new JoinHandoff { OpId = opId });

    /// <summary>The joined clinician finished the handoff.</summary>
    public Task<Result<HandoffSummary>> CompleteHandoff(string handoffId, string? opId, HandoffService handoffs) =>
        Run(handoffs, handoffId, new CompleteHandoff { OpId = opId });

    /// <summary>The requester withdraws the handoff.</summary>
    public Task<Result<HandoffSummary>> CancelHandoff(string handoffId, string? reason, string? opId, HandoffService handoffs) =>
        Run(handoffs, handoffId, new CancelHandoff(reason) { OpId = opId });

    /// <summary>The requester falls back to a referral (on <paramref name="on"/>, a date, or null) after a failed or declined handoff.</summary>
    public Task<Result<HandoffSummary>> ScheduleReferral(string handoffId, DateOnly? on, string? opId, HandoffService handoffs) =>
        Run(handoffs, handoffId, new ScheduleReferral(on) { OpId = opId });

    /// <summary>The requester records the referral as attended.</summary>
    public Task<Result<HandoffSummary>> AttendReferral(string handoffId, string? opId, HandoffService handoffs) =>
        Run(handoffs, handoffId, new AttendReferral { OpId = opId });

    /// <summary>The requester closes the referral unattended.</summary>
    public Task<Result<HandoffSummary>> CloseReferral(string handoffId, string? reason, string? opId, HandoffService handoffs) =>
        Run(handoffs, handoffId, new CloseReferral(reason) { OpId = opId });

    /// <summary>The whole handoff (patient, SBAR, every step); the open is logged.</summary>
    public Task<Result<Handoff>> OpenHandoff(string handoffId, HandoffService handoffs)
    {
        ArgumentNullException.ThrowIfNull(handoffs);
        return handoffs.OpenAsync(UserId, handoffId);
    }

    /// <summary>Starts receiving <c>HandoffInboxChanged</c> for this user and returns the inbox.</summary>
    public Task<Result<FeedReply<InboxSnapshot, InboxChange>>> SubscribeInbox() =>
        OpenFeed<InboxSnapshot, InboxChange>(InboxRoute.FeedOf(UserId), null, FeedPosition.AnyEpoch);

    /// <summary>
    /// Like <see cref="SubscribeInbox"/> for a client that has the inbox at <paramref name="seq"/> of
    /// <paramref name="epoch"/> (its last reply's; 0 = the current one): only what it missed, or a reset.
    /// </summary>
    public Task<Result<FeedReply<InboxSnapshot, InboxChange>>> ResumeInbox(long seq, long epoch) =>
        OpenFeed<InboxSnapshot, InboxChange>(InboxRoute.FeedOf(UserId), seq, epoch);

    /// <summary>Starts receiving <c>TeamHandoffsChanged</c> for <paramref name="teamId"/> (members and room displays).</summary>
    public Task<Result<FeedReply<TeamHandoffsSnapshot, TeamHandoffsChange>>> SubscribeTeamHandoffs(string teamId) =>
        OpenFeed<TeamHandoffsSnapshot, TeamHandoffsChange>(TeamHandoffsRoute.FeedOf(teamId), null, FeedPosition.AnyEpoch);

    /// <summary>Like <see cref="SubscribeTeamHandoffs"/> from <paramref name="seq"/> of <paramref name="epoch"/>.</summary>
    public Task<Result<FeedReply<TeamHandoffsSnapshot, TeamHandoffsChange>>> ResumeTeamHandoffs(string teamId, long seq, long epoch) =>
        OpenFeed<TeamHandoffsSnapshot, TeamHandoffsChange>(TeamHandoffsRoute.FeedOf(teamId), seq, epoch);

    /// <summary>Stops receiving a team's open handoffs.</summary>
    public Task UnsubscribeTeamHandoffs(string teamId) => CloseFeed(TeamHandoffsRoute.FeedOf(teamId));

    private Task<Result<HandoffSummary>> Run(HandoffService handoffs, string handoffId, HandoffCommand command)
    {
        ArgumentNullException.ThrowIfNull(handoffs);
        return handoffs.ExecuteAsync(UserId, handoffId, command);
    }
}
