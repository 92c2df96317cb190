using System.Security.Claims;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using Huddle.Contracts.CareTeams;
using Huddle.Contracts.Chat;
using Huddle.Contracts.Common;
using Huddle.Contracts.Patients;
using Huddle.Contracts.Registry;
using Huddle.Web.Auth;
using Huddle.Web.Http;
using Huddle.Web.Registry;
using Microsoft.Extensions.Options;

namespace Huddle.Web.Fhir;

/// <summary>
/// The FHIR R4 export (docs/api.md, "FHIR export"): <c>GET /api/fhir/patients/{id}</c> and
/// <c>GET /api/fhir/teams/{id}</c> answer a collection <c>Bundle</c> as <c>application/fhir+json</c>.
/// Access is the reads' own (a clinician on the patient's or the team's care team), audited like them.
/// </summary>
public static class FhirEndpoints
{
    public const string ContentType = "application/fhir+json";

    /// <summary>Measurements per patient in a team's export (the newest).</summary>
    public const int TeamMeasurementsPerPatient = 10;

    public static void MapFhirEndpoints(this RouteGroupBuilder api)
    {
        api.MapGet("/fhir/patients/{patientId}", async (string patientId, ClaimsPrincipal principal, RegistryService registry, IGrainFactory grains,
            Chat.ChatService messages, IOptions<FhirOptions> options, TimeProvider time) =>
        {
            var userId = principal.UserIdOf();
            var care = await registry.ReadCareAsync(userId, patientId);
            if (care.Error is { } error)
            {
                return ApiErrors.Problem(error);
            }

            var resources = new List<Resource>();
            try
            {
                var patient = grains.Grain<IPatientGrain>(patientId);
                foreach (var teamId in (await patient.GetAsync())?.TeamIds ?? [])
                {
                    if (await grains.Grain<ICareTeamGrain>(teamId).GetProfileAsync() is { } team)
                    {
                        resources.Add(FhirExport.CareTeamOf(team, options.Value));
                    }
                }

                var handoffs = await patient.GetHandoffsAsync(userId);
                resources.AddRange((handoffs.Ok ? handoffs.Value : []).Select(h => FhirExport.TaskOf(h, patientId, options.Value)));
            }
            catch (Exception ex) when (Failures.IsUnavailable(ex))
            {
                return ApiErrors.Problem(Failures.Unavailable);
            }

            var measured = await MeasurementsAsync(registry, userId, patientId, options.Value.MaxMeasurements);
            if (measured.Error is { } failed)
            {
                return ApiErrors.Problem(failed);
            }

            resources.AddRange(measured.Value!.SelectMany(m => Resources(FhirExport.MeasurementOf(m, patientId, options.Value))));

            // The newest messages of the patient's care-team chat (a reader the thread refuses, e.g. on
            // emergency access only, gets the rest without them).
            var chat = await messages.ReadBeforeAsync(userId, ThreadIds.ForPatient(patientId)!, long.MaxValue, ChatLimits.MaxHistoryRead);
            if (chat.Error is { Code: ErrorCodes.Unavailable } unavailable)
            {
                return ApiErrors.Problem(unavailable);
            }

            resources.AddRange((chat.Value?.Messages ?? []).Where(m => m.Kind == ThreadEntryKind.Message && m.DeletedAt is null)
                .Select(m => FhirExport.CommunicationOf(m, patientId, options.Value)));
            return Bundle(FhirExport.Collection(resources, time.GetUtcNow()));
        });

        api.MapGet("/fhir/teams/{teamId}", async (string teamId, ClaimsPrincipal principal, RegistryService registry, IGrainFactory grains,
            IOptions<FhirOptions> options, TimeProvider time) =>
        {
            var userId = principal.UserIdOf();
            var view = await registry.RegistryAsync(userId, teamId);
            if (view.Error is { } error)
            {
                return ApiErrors.Problem(error);
            }

            var resources = new List<Resource>();
            try
            {
                if (await grains.Grain<ICareTeamGrain>(teamId).GetProfileAsync() is { } team)
                {
                    resources.Add(FhirExport.CareTeamOf(team, options.Value));
                }
            }
            catch (Exception ex) when (Failures.IsUnavailable(ex))
            {
                return ApiErrors.Problem(Failures.Unavailable);
            }

            foreach (var row in view.Value!.Rows)
            {
                var measured = await MeasurementsAsync(registry, userId, row.Entry.PatientId, TeamMeasurementsPerPatient);
                if (measured.Error is { } failed)
                {
                    return ApiErrors.Problem(failed);
                }

                resources.AddRange(measured.Value!.SelectMany(m => Resources(FhirExport.MeasurementOf(m, row.Entry.PatientId, options.Value))));
            }

            return Bundle(FhirExport.Collection(resources, time.GetUtcNow()));
        });
    }

    private static IEnumerable<Resource> Resources((QuestionnaireResponse Response, Observation Panel, Observation Total) m) => [m.Response, m.Panel, m.Total];

    /// <summary>Up to <paramref name="most"/> of the patient's measurements, newest first, read page by page.</summary>
    private static async Task<Result<List<Measurement>>> MeasurementsAsync(RegistryService registry, string userId, string patientId, int most)
    {
        var all = new List<Measurement>();
        long? before = null;
        do
        {
            var page = await registry.MeasurementsAsync(userId, patientId, before, Math.Min(RegistryLimits.MaxPage, most - all.Count));
            if (page.Error is { } error)
            {
                return error;
            }

            all.AddRange(page.Value!.Measurements);
            before = page.Value.Before;
        }
        while (before is not null && all.Count < most);
        return all;
    }

    /// <summary>A bundle as the export's answer: <c>application/fhir+json</c>.</summary>
    public static IResult Bundle(Bundle bundle) =>
        Results.Text(new FhirJsonSerializer().SerializeToString(bundle), ContentType);
}
