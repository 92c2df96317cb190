using System.Security.Claims;
using Huddle.Contracts.Live;
using Huddle.Web.Auth;
using Huddle.Web.Http;

namespace Huddle.Web.Presence;

public static class TeamPresenceEndpoints
{
    /// <summary>GET /api/teams/{teamId}/presence?since=N&amp;epoch=E: the roster, or the changes after <c>since</c>.</summary>
    public static void MapTeamPresenceEndpoints(this RouteGroupBuilder api)
    {
        api.MapGet("/teams/{teamId}/presence", async (string teamId, long? since, long? epoch, ClaimsPrincipal principal, TeamPresenceService presence) =>
            ApiErrors.Reply(await presence.ReadAsync(principal.UserIdOf(), teamId, since, epoch ?? FeedPosition.AnyEpoch)));
    }
}
