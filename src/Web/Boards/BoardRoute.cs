using Huddle.Contracts.Boards;
using Huddle.Contracts.CareTeams;
using Huddle.Contracts.Common;
using Huddle.Contracts.Live;
using Huddle.Web.Live;

namespace Huddle.Web.Boards;

/// <summary>The board's route through the relay: a team's grain owns <c>board:{teamId}</c>, changes go out as <c>BoardChanged</c>.</summary>
public sealed class BoardRoute(HuddleClock clock) : FeedRoute<ICareTeamGrain, BoardChange>(ICareTeamGrain.BoardFeed)
{
    /// <summary>The board feed of <paramref name="teamId"/>.</summary>
    public static FeedId FeedOf(string teamId) => new(ICareTeamGrain.BoardFeed, teamId);

    protected override Task Send(IHuddleClient clients, BoardChange change) => clients.BoardChanged(change);

    public override object ResetPayload(FeedId feed, long seq, string reason) => BoardChange.ResetAt(feed.Key, seq, reason, clock.UtcNow);
}
