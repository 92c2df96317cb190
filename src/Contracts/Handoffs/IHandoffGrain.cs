using Huddle.Contracts.Common;

namespace Huddle.Contracts.Handoffs;

/// <summary>
/// One grain per warm handoff (key: an opaque id, <c>h-{guid}</c>), persisted. It routes the request
/// by presence, pings through the inboxes, climbs the team's escalation policy on deadlines that
/// survive deactivation and restarts (a reminder, with a precise timer while active), and applies
/// every later command in one place, so two accepts or a cancel racing an accept end in one outcome.
/// Every command may carry an op id: a retry returns the first result.
/// </summary>
public interface IHandoffGrain : IGrainWithStringKey
{
    /// <summary>Creates the handoff from <paramref name="request"/> by <paramref name="actorId"/>, routes and pings it.</summary>
    Task<Result<HandoffSummary>> RequestAsync(string actorId, RequestHandoff request);

    /// <summary>Applies <paramref name="command"/> (accept, decline, join, complete, cancel, referral steps).</summary>
    Task<Result<HandoffSummary>> ExecuteAsync(string actorId, HandoffCommand command);

    /// <summary>
    /// The whole handoff (patient, reason, every step) for its requester, anyone it was sent to, or a
    /// member of its team; each open is logged by ids.
    /// </summary>
    Task<Result<Handoff>> OpenAsync(string userId);

    /// <summary>
    /// Activates this handoff's grain ahead of its request (a form was opened), so the activation's read
    /// of its still-empty row happens now and not on the ping's path. Changes nothing; interleaves.
    /// </summary>
    [AlwaysInterleave]
    Task PrepareAsync();
}
