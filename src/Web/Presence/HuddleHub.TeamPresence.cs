using Huddle.Contracts.Common;
using Huddle.Contracts.Live;
using Huddle.Contracts.Presence;
using Huddle.Web.Presence;

namespace Huddle.Web.Live;

/// <summary>The team presence roster's hub methods (docs/api.md, "Presence"); a part of the one hub.</summary>
public sealed partial class HuddleHub
{
    /// <summary>Starts receiving <c>TeamPresenceChanged</c> for <paramref name="teamId"/> and returns the roster (members and room displays).</summary>
    public Task<Result<FeedReply<TeamPresenceSnapshot, TeamPresenceChange>>> SubscribeTeamPresence(string teamId) =>
        OpenFeed<TeamPresenceSnapshot, TeamPresenceChange>(TeamPresenceRoute.FeedOf(teamId), null, FeedPosition.AnyEpoch);

    /// <summary>Like <see cref="SubscribeTeamPresence"/> for a client that has the roster at <paramref name="seq"/> of <paramref name="epoch"/>.</summary>
    public Task<Result<FeedReply<TeamPresenceSnapshot, TeamPresenceChange>>> ResumeTeamPresence(string teamId, long seq, long epoch) =>
        OpenFeed<TeamPresenceSnapshot, TeamPresenceChange>(TeamPresenceRoute.FeedOf(teamId), seq, epoch);

    /// <summary>Stops receiving the team's presence.</summary>
    public Task UnsubscribeTeamPresence(string teamId) => CloseFeed(TeamPresenceRoute.FeedOf(teamId));
}
