using Huddle.Contracts.Common;
using Huddle.Contracts.Live;
using Huddle.Contracts.Presence;
using Huddle.Web.Live;

namespace Huddle.Web.Presence;

/// <summary>A team's presence roster for HTTP and components, through the relay (the hub opens it with its one feed pattern).</summary>
public sealed class TeamPresenceService(FeedRelay relay)
{
    /// <summary>The catch-up read (or, without <paramref name="since"/>, the roster), without watching.</summary>
    public Task<Result<FeedReply<TeamPresenceSnapshot, TeamPresenceChange>>> ReadAsync(string userId, string teamId, long? since, long epoch = FeedPosition.AnyEpoch) =>
        SourceOf(userId, teamId).ReadAsync(since, epoch);

    /// <summary>The roster as <paramref name="userId"/> reads it, for a component's live copy on this host.</summary>
    public FeedSource<TeamPresenceSnapshot, TeamPresenceChange> SourceOf(string userId, string teamId) =>
        new(relay, TeamPresenceRoute.FeedOf(teamId), userId);
}
