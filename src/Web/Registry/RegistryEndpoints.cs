using System.Security.Claims;
using Huddle.Contracts.Registry;
using Huddle.Web.Auth;
using Huddle.Web.Http;

namespace Huddle.Web.Registry;

/// <summary>Measurement-based care over HTTP (docs/api.md, "Registry"). Bodies are the commands' JSON; the grains check access.</summary>
public static class RegistryEndpoints
{
    public static void MapRegistryEndpoints(this RouteGroupBuilder api)
    {
        api.MapGet("/patients/{patientId}/care", async (string patientId, ClaimsPrincipal principal, RegistryService registry) =>
            ApiErrors.From(await registry.ReadCareAsync(principal.UserIdOf(), patientId), care => care));

        api.MapGet("/patients/{patientId}/measurements", async (string patientId, long? before, int? limit, ClaimsPrincipal principal, RegistryService registry) =>
            ApiErrors.From(await registry.MeasurementsAsync(principal.UserIdOf(), patientId, before, limit ?? 20), page => page));

        api.MapPost("/patients/{patientId}/measurements", (string patientId, RecordMeasurement body, ClaimsPrincipal principal, RegistryService registry) =>
            CareAsync(registry, principal, patientId, body));

        api.MapPut("/patients/{patientId}/enrolment", (string patientId, Enrol body, ClaimsPrincipal principal, RegistryService registry) =>
            CareAsync(registry, principal, patientId, body));

        api.MapPost("/patients/{patientId}/discharge", (string patientId, Discharge body, ClaimsPrincipal principal, RegistryService registry) =>
            CareAsync(registry, principal, patientId, body));

        api.MapPost("/patients/{patientId}/contacts", (string patientId, LogContact body, ClaimsPrincipal principal, RegistryService registry) =>
            CareAsync(registry, principal, patientId, body));

        api.MapPost("/patients/{patientId}/reviews", (string patientId, RecordReview body, ClaimsPrincipal principal, RegistryService registry) =>
            CareAsync(registry, principal, patientId, body));

        api.MapGet("/teams/{teamId}/registry", async (string teamId, ClaimsPrincipal principal, RegistryService registry) =>
            ApiErrors.From(await registry.RegistryAsync(principal.UserIdOf(), teamId), view => view));
    }

    private static async Task<IResult> CareAsync(RegistryService registry, ClaimsPrincipal principal, string patientId, CareCommand command) =>
        ApiErrors.From(await registry.CareAsync(principal.UserIdOf(), patientId, command), care => care);
}
