using Huddle.Contracts.Common;
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

        api.MapGet("/teams/{teamId}/registry-metrics", async (string teamId, int? months, ClaimsPrincipal principal, RegistryService registry) =>
            ApiErrors.From(await registry.MetricsAsync(principal.UserIdOf(), teamId, months ?? RegistryMetrics.BillingMonths), report => report));

        api.MapGet("/teams/{teamId}/registry.csv", RowsCsv);
        api.MapGet("/teams/{teamId}/registry-metrics.csv", MetricsCsv);
    }

    /// <summary>
    /// The registry page's CSV links, for the member's browser (the cookie opens pages and these, not the
    /// API: docs/api.md, "Authentication"). GETs: a cross-site link can only download the file to the
    /// member's own machine.
    /// </summary>
    public static void MapRegistryPageDownloads(this IEndpointRouteBuilder app)
    {
        app.MapGet("/teams/{teamId}/registry.csv", RowsCsv).RequireAuthorization();
        app.MapGet("/teams/{teamId}/registry-metrics.csv", MetricsCsv).RequireAuthorization();
    }

    private static async Task<IResult> RowsCsv(string teamId, ClaimsPrincipal principal, RegistryService registry, IGrainFactory grains, HttpContext context)
    {
        var view = await registry.RegistryAsync(principal.UserIdOf(), teamId);
        return view.Error is { } error ? ApiErrors.Problem(error)
            : Download(context, $"huddle-registry-{teamId}-{view.Value!.Today:yyyy-MM-dd}.csv", RegistryCsv.Rows(view.Value, await TeamAsync(grains, teamId)));
    }

    private static async Task<IResult> MetricsCsv(string teamId, int? months, ClaimsPrincipal principal, RegistryService registry, IGrainFactory grains, HttpContext context)
    {
        var report = await registry.MetricsAsync(principal.UserIdOf(), teamId, months ?? RegistryMetrics.BillingMonths);
        return report.Error is { } error ? ApiErrors.Problem(error)
            : Download(context, $"huddle-registry-metrics-{teamId}-{report.Value!.Today:yyyy-MM-dd}.csv", RegistryCsv.Metrics(report.Value, await TeamAsync(grains, teamId)));
    }

    private static async Task<Contracts.CareTeams.CareTeamProfile?> TeamAsync(IGrainFactory grains, string teamId) =>
        await grains.Grain<Contracts.CareTeams.ICareTeamGrain>(teamId).GetProfileAsync();

    private static IResult Download(HttpContext context, string name, string csv)
    {
        context.Response.Headers.ContentDisposition = $"attachment; filename=\"{name}\"";
        return Results.Text(csv, "text/csv; charset=utf-8");
    }

    private static async Task<IResult> CareAsync(RegistryService registry, ClaimsPrincipal principal, string patientId, CareCommand command) =>
        ApiErrors.From(await registry.CareAsync(principal.UserIdOf(), patientId, command), care => care);
}
