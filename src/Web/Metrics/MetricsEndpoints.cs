using System.Security.Claims;
using Huddle.Web.Auth;
using Huddle.Web.Http;

namespace Huddle.Web.Metrics;

public static class MetricsEndpoints
{
    /// <summary>GET /api/teams/{teamId}/handoff-metrics?days=7 (docs/api.md, docs/clinical.md).</summary>
    public static void MapMetricsEndpoints(this RouteGroupBuilder api)
    {
        api.MapGet("/teams/{teamId}/handoff-metrics", async (string teamId, int? days, ClaimsPrincipal principal, MetricsService metrics) =>
            ApiErrors.From(await metrics.ReadAsync(principal.UserIdOf(), teamId, days ?? 7), report => report));
    }
}
