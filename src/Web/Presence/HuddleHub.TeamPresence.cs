using Huddle.Contracts.Common;
using Huddle.Web.Presence;

namespace Huddle.Web.Live;

/// <summary>The team presence roster's hub methods (docs/api.md, "Presence"); a part of the one hub.</summary>
public sealed partial class HuddleHub
{
    /// <summary>Starts receiving <c>TeamPresenceChanged</c> for <paramref name="teamId"/> and returns the roster (members and room displays).</summary>
    public Task<Result<TeamPresenceReply>> SubscribeTeamPresence(string teamId, TeamPresenceService presence)
    {
        ArgumentNullException.ThrowIfNull(presence);
        return presence.SubscribeAsync(Watcher, teamId, null);
    }

    /// <summary>Like <see cref="SubscribeTeamPresence"/> for a client that has the roster at <paramref name="seq"/>.</summary>
    public Task<Result<TeamPresenceReply>> ResumeTeamPresence(string teamId, long seq, TeamPresenceService presence)
    {
        ArgumentNullException.ThrowIfNull(presence);
        return presence.SubscribeAsync(Watcher, teamId, seq);
    }

    /// <summary>Stops receiving the team's presence.</summary>
    public Task UnsubscribeTeamPresence(string teamId, TeamPresenceService presence)
    {
        ArgumentNullException.ThrowIfNull(presence);
        return presence.UnsubscribeAsync(Context.ConnectionId, teamId);
    }
}
