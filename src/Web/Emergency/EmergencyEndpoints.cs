using System.Security.Claims;
using Huddle.Web.Auth;
using Huddle.Web.Http;

namespace Huddle.Web.Emergency;

/// <summary>Emergency access by HTTP (docs/api.md, "Emergency access").</summary>
public static class EmergencyEndpoints
{
    public static void MapEmergencyEndpoints(this RouteGroupBuilder api)
    {
        // POST /api/patients/{patientId}/emergency-access {"reason"}: the grant, or why not.
        api.MapPost("/patients/{patientId}/emergency-access", async (string patientId, EmergencyReasonRequest request, ClaimsPrincipal principal, EmergencyAccessService emergency) =>
            ApiErrors.From(await emergency.GrantAsync(principal.UserIdOf(), patientId, request.Reason), grant => grant));
    }
}
