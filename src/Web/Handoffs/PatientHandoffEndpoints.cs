using System.Security.Claims;
using Huddle.Contracts.Common;
using Huddle.Contracts.Patients;
using Huddle.Web.Auth;
using Huddle.Web.Http;

namespace Huddle.Web.Handoffs;

public static class PatientHandoffEndpoints
{
    /// <summary>GET /api/patients/{patientId}/handoffs: the patient's warm handoffs, open and past, newest first.</summary>
    public static void MapPatientHandoffEndpoints(this RouteGroupBuilder api)
    {
        api.MapGet("/patients/{patientId}/handoffs", async (string patientId, ClaimsPrincipal principal, IGrainFactory grains) =>
        {
            if (!Ids.IsValid(patientId))
            {
                return ApiErrors.Problem(HuddleError.InvalidId("A patient id"));
            }

            try
            {
                return ApiErrors.From(await grains.Grain<IPatientGrain>(patientId).GetHandoffsAsync(principal.UserIdOf()), handoffs => handoffs);
            }
            catch (Exception ex) when (Failures.IsUnavailable(ex))
            {
                return ApiErrors.Problem(Failures.Unavailable);
            }
        });
    }
}
