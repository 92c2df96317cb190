using Huddle.Contracts.Common;

namespace Huddle.Contracts.Presence;

/// <summary>
/// One grain per clinician (key: the user id) merging every connection of theirs, on any web host,
/// into one presence. A connection counts while it sends heartbeats; the last one closing, or every
/// connection missing its heartbeats for <c>Huddle:Presence:OfflineAfter</c> (60 s), makes the
/// clinician offline. A chosen status (busy, in session, do-not-disturb) holds across connections.
/// </summary>
public interface IPresenceGrain : IGrainWithStringKey
{
    /// <summary>A connection of this clinician opened (idempotent).</summary>
    Task<PresenceView> ConnectAsync(string connectionId);

    /// <summary>A connection is still alive; an unknown one (after a silo restart) is added.</summary>
    Task<PresenceView> HeartbeatAsync(string connectionId);

    /// <summary>A connection closed (idempotent).</summary>
    Task<PresenceView> DisconnectAsync(string connectionId);

    /// <summary>
    /// The clinician chooses a status: <c>available</c> clears the choice; <c>offline</c> cannot be
    /// chosen (validation_failed). Setting the same status again changes nothing.
    /// </summary>
    Task<Result<PresenceView>> SetStatusAsync(PresenceStatus status);

    /// <summary>The current presence (offline for a clinician never seen).</summary>
    [AlwaysInterleave]
    Task<PresenceView> GetAsync();
}
