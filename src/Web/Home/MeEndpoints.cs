using System.Security.Claims;
using Huddle.Contracts.Common;
using Huddle.Web.Auth;
using Huddle.Web.Http;

namespace Huddle.Web.Home;

public static class MeEndpoints
{
    /// <summary>GET /api/me.</summary>
    public static void MapMeEndpoints(this RouteGroupBuilder api)
    {
        api.MapGet("/me", async (ClaimsPrincipal principal, MeService me) =>
        {
            try
            {
                return await me.MeAsync(principal.UserIdOf()) is { } found
                    ? Results.Ok(found)
                    : ApiErrors.Problem(HuddleError.NotFound("User", principal.UserIdOf()));
            }
            catch (Exception ex) when (Failures.IsUnavailable(ex))
            {
                return ApiErrors.Problem(Failures.Unavailable);
            }
        });
    }
}
