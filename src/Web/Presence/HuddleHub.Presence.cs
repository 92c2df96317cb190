using Huddle.Contracts.Common;
using Huddle.Contracts.Presence;
using Huddle.Web.Presence;

namespace Huddle.Web.Live;

/// <summary>The presence hub methods (docs/api.md, "Presence"). A connection's start and end count by themselves (<see cref="PresenceHubFilter"/>).</summary>
public sealed partial class HuddleHub
{
    /// <summary>Chooses this user's status: available, busy, inSession or doNotDisturb (offline cannot be chosen).</summary>
    public Task<Result<PresenceView>> SetPresence(PresenceStatus status, PresenceService presence)
    {
        ArgumentNullException.ThrowIfNull(presence);
        return presence.SetAsync(UserId, status);
    }

    /// <summary>This connection is alive; send one every 20 s, or it stops counting after 60 s.</summary>
    public Task<Result<PresenceView>> Heartbeat(PresenceService presence)
    {
        ArgumentNullException.ThrowIfNull(presence);
        return presence.HeartbeatAsync(UserId, Context.ConnectionId);
    }

    /// <summary>A teammate's presence (the handoff target picker, the roster), or this user's own.</summary>
    public Task<Result<PresenceView>> GetPresence(string userId, PresenceService presence)
    {
        ArgumentNullException.ThrowIfNull(presence);
        return presence.GetAsync(UserId, userId);
    }
}
