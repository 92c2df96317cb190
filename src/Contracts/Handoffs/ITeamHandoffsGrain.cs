using Huddle.Contracts.Common;

namespace Huddle.Contracts.Handoffs;

/// <summary>
/// A team's handoff desk (key: the team id): its escalation policy and its open handoffs, owner of the
/// feed <c>handoffs:{teamId}</c> for the board (audience <c>members</c>) and the room display
/// (<c>displays</c>; the same PHI-free summaries). Its row holds the policy and the open handoffs;
/// outcomes go to one history page per team day, which the metrics read.
/// </summary>
public interface ITeamHandoffsGrain : Live.IFeedGrain, CareTeams.ITeamFollower
{
    /// <summary>The feed kind of a team's open handoffs.</summary>
    const string Feed = "handoffs";

    /// <summary>The team's escalation policy (the defaults until a member sets one).</summary>
    [AlwaysInterleave]
    Task<EscalationPolicy> GetPolicyAsync();

    /// <summary>Replaces the policy; members only; backups must be members; step times 15-3600 s.</summary>
    Task<Result<EscalationPolicy>> SetPolicyAsync(string actorId, EscalationPolicy policy);

    /// <summary>
    /// Called by a handoff's grain: adds, updates or (when no longer open) removes <paramref name="item"/>,
    /// and keeps <paramref name="outcome"/> for the metrics on the page of the team's day it was
    /// requested (a past-dated outcome lands on its own day). Idempotent: a summary or outcome not
    /// newer than the one held changes nothing.
    /// </summary>
    Task TrackAsync(HandoffSummary item, HandoffOutcome outcome);

    /// <summary>
    /// The team's warm-handoff metrics over its last <paramref name="days"/> days (1-30, today
    /// included, in the team's time zone). Members only.
    /// </summary>
    [AlwaysInterleave]
    Task<Result<HandoffMetricsReport>> GetMetricsAsync(string userId, int days);
}
