using System.Security.Claims;
using Huddle.Contracts.Audit;
using Huddle.Web.Auth;
using Huddle.Web.Http;

namespace Huddle.Web.Audit;

/// <summary>The audit trail for administrators (docs/api.md, "Audit"; docs/security.md).</summary>
public static class AuditEndpoints
{
    public static void MapAuditEndpoints(this RouteGroupBuilder api)
    {
        var admin = api.MapGroup("/admin").RequireAuthorization(HuddleAuthentication.AdministratorPolicy);

        // GET /api/admin/audit?patientId=&day=&userId=&outcome=&hideAuditReads=&before=&limit=
        admin.MapGet("/audit", async (string? patientId, string? day, string? userId, string? outcome, bool? hideAuditReads, long? before, int? limit, ClaimsPrincipal principal, AuditService audit) =>
            Parse(patientId, day, userId, outcome, before, limit, hideAuditReads) is { } query
                ? ApiErrors.From(await audit.QueryAsync(principal.UserIdOf(), query), results => results)
                : ApiErrors.Problem(Contracts.Common.HuddleError.Invalid("day is yyyy-MM-dd; outcome is allowed, denied, rejected or failed.")));

        // GET /api/admin/audit/fhir?… (the same filters): the records as a FHIR R4 Bundle of AuditEvents (docs/integration.md).
        admin.MapGet("/audit/fhir", async (string? patientId, string? day, string? userId, string? outcome, bool? hideAuditReads, long? before, int? limit, ClaimsPrincipal principal,
            AuditService audit, Microsoft.Extensions.Options.IOptions<Fhir.FhirOptions> options, TimeProvider time) =>
        {
            if (Parse(patientId, day, userId, outcome, before, limit, hideAuditReads) is not { } query)
            {
                return ApiErrors.Problem(Contracts.Common.HuddleError.Invalid("day is yyyy-MM-dd; outcome is allowed, denied, rejected or failed."));
            }

            var read = await audit.QueryAsync(principal.UserIdOf(), query);
            return read.Error is { } error ? ApiErrors.Problem(error)
                : Fhir.FhirEndpoints.Bundle(Fhir.FhirExport.Collection(read.Value!.Records.Select(r => Fhir.FhirExport.AuditEventOf(r, options.Value)), time.GetUtcNow()));
        });

        // GET /api/admin/audit.csv?… (the same filters; every matching record, not one page)
        admin.MapGet("/audit.csv", Csv);
        // GET /api/admin/emergency-access?day=|patientId=: the emergency accesses to review, with their reasons.
        admin.MapGet("/emergency-access", async (string? day, string? patientId, ClaimsPrincipal principal, AuditService audit) =>
            Parse(patientId, day, null, null, null, null) is { } query
                ? ApiErrors.From(await audit.EmergencyAccessAsync(principal.UserIdOf(), query.PatientId is null ? query.Day : null, query.PatientId), entries => entries)
                : ApiErrors.Problem(Contracts.Common.HuddleError.Invalid("day is yyyy-MM-dd.")));

        // POST /api/admin/emergency-access/{patientId}/{number}/review {"outcome","note"}: marks it reviewed, once.
        admin.MapPost("/emergency-access/{patientId}/{number:long}/review", async (string patientId, long number, EmergencyReviewRequest? request, ClaimsPrincipal principal, AuditService audit) =>
            request?.Outcome is not { } outcome
                ? ApiErrors.Problem(Contracts.Common.HuddleError.Invalid("A review needs an outcome: appropriate or followUp."))
                : ApiErrors.From(await audit.ReviewEmergencyAsync(principal.UserIdOf(), patientId, number, outcome, request.Note), entry => entry));

        // GET /api/admin/patients/{patientId}/access: who opened or changed this patient's data.
        admin.MapGet("/patients/{patientId}/access", async (string patientId, ClaimsPrincipal principal, AuditService audit) =>
            ApiErrors.From(await audit.PatientAccessAsync(principal.UserIdOf(), patientId), report => report));
    }

    /// <summary>
    /// GET /admin/audit.csv: the audit page's CSV link, for the administrator's browser (the cookie opens
    /// pages and this, not the API: docs/api.md, "Authentication"). A GET: a cross-site link can only
    /// download the file to the administrator's own machine.
    /// </summary>
    public static void MapAuditPageDownloads(this IEndpointRouteBuilder app) =>
        app.MapGet("/admin/audit.csv", Csv).RequireAuthorization(HuddleAuthentication.AdministratorPolicy);

    private static IResult Csv(string? patientId, string? day, string? userId, string? outcome, bool? hideAuditReads, long? before, ClaimsPrincipal principal, AuditService audit, HttpContext context)
    {
        if (Parse(patientId, day, userId, outcome, before, AuditQuery.MaxLimit, hideAuditReads) is not { } query
            || (query.PatientId is { } p && !Contracts.Common.Ids.IsValid(p)) || (query.UserId is { } u && !Contracts.Common.Ids.IsValid(u)))
        {
            return ApiErrors.Problem(Contracts.Common.HuddleError.Invalid("patientId and userId are ids; day is yyyy-MM-dd; outcome is allowed, denied, rejected or failed."));
        }

        context.Response.Headers.ContentDisposition = $"attachment; filename=\"huddle-audit-{query.PatientId ?? query.Day?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture) ?? "today"}.csv\"";
        return Results.Stream(async body =>
        {
            await using var writer = new StreamWriter(body, new System.Text.UTF8Encoding(false));
            await foreach (var chunk in audit.CsvAsync(principal.UserIdOf(), query, context.RequestAborted))
            {
                await writer.WriteAsync(chunk);
                await writer.FlushAsync(context.RequestAborted);
            }
        }, "text/csv; charset=utf-8");
    }

    private static AuditQuery? Parse(string? patientId, string? day, string? userId, string? outcome, long? before, int? limit, bool? hideAuditReads = null)
    {
        DateOnly? onDay = null;
        if (day is not null)
        {
            if (!DateOnly.TryParseExact(day, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var parsed))
            {
                return null;
            }

            onDay = parsed;
        }

        AuditOutcome? ended = null;
        if (outcome is not null)
        {
            if (!Enum.TryParse<AuditOutcome>(outcome, ignoreCase: true, out var parsed) || !Enum.IsDefined(parsed))
            {
                return null;
            }

            ended = parsed;
        }

        return new AuditQuery(patientId, onDay, userId, ended, before, limit ?? 200, HideAuditReads: hideAuditReads == true);
    }
}
