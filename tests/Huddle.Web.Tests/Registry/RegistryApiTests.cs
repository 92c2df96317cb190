using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Firely.Fhir.Validation;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using Hl7.Fhir.Specification.Source;
using Hl7.Fhir.Specification.Terminology;
using Huddle.Contracts.CareTeams;
using Huddle.Contracts.Common;
using Huddle.Contracts.Live;
using Huddle.Contracts.Registry;
using Huddle.Testing;
using Huddle.Web.Live;
using Microsoft.AspNetCore.SignalR.Client;
using Huddle.Web.Auth;
using Huddle.Web.Http;
using Task = System.Threading.Tasks.Task;

namespace Huddle.Web.Tests.Registry;

/// <summary>
/// The registry over HTTP and the FHIR export: the issue's "done when" through the API, bad input
/// refused with nothing changed, and every exported resource validated by Firely's validator against the
/// base R4 profiles (not only parsed back).
/// </summary>
public sealed class RegistryApiTests(HuddleAppFixture app)
{
    /// <summary>The base R4 specification (the specification.zip Firely ships) and a validator over it; built once, it takes seconds.</summary>
    private static readonly Lazy<Validator> FhirValidator = new(() =>
    {
        var source = new CachedResolver(ZipSource.CreateValidationSource());
        return new Validator(source, new LocalTerminologyService(source));
    });

    private sealed record Team(string Id, string Pcp, string CareManager, string Psychiatrist, string Patient);

    private static object Phq9(int total, int item9 = 0, string? on = null, string? opId = null)
    {
        var items = new int[9];
        var left = total - item9;
        for (var i = 0; i < 8 && left > 0; i++)
        {
            items[i] = Math.Min(3, left);
            left -= items[i];
        }

        items[8] = item9;
        return new { instrument = "phq9", items, on, opId };
    }

    private async Task<Team> TeamAsync()
    {
        var n = Guid.NewGuid().ToString("N")[..8];
        var team = new Team($"team-reg-{n}", $"u-pcp-{n}", $"u-cm-{n}", $"u-psy-{n}", $"p-reg-{n}");
        using var http = app.Http();
        var request = new DevTeamRequest("Registry team",
            [new(team.Pcp, "Dr. Pat Carter", CareTeamRole.Pcp), new(team.CareManager, "Cam Manager", CareTeamRole.CareManager),
             new(team.Psychiatrist, "Dr. Priya Sen", CareTeamRole.ConsultingPsychiatrist)],
            [], [new(team.Patient, "Maria Lopez", "Exam 2")]);
        (await http.PutAsJsonAsync($"api/dev/teams/{team.Id}", request, HuddleJson.Options)).EnsureSuccessStatusCode();
        return team;
    }

    private static async Task<JsonElement> OkAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement;
    }

    private static string Day(int daysAgo) => DateOnly.FromDateTime(DateTime.UtcNow).AddDays(-daysAgo).ToString("yyyy-MM-dd");

    [Fact]
    public async Task A_member_watching_the_patients_care_over_the_hub_gets_each_stored_change_with_the_boards_flags()
    {
        var team = await TeamAsync();
        await using var psychiatrist = await HubClient.ConnectAsync(app, team.Psychiatrist);
        var changes = System.Threading.Channels.Channel.CreateUnbounded<PatientCareChange>();
        psychiatrist.Hub.On<PatientCareChange>(nameof(IHuddleClient.PatientCareChanged), c => changes.Writer.TryWrite(c));
        var opened = await psychiatrist.Hub.InvokeAsync<Result<FeedReply<PatientCareView, PatientCareChange>>>(nameof(HuddleHub.SubscribePatientCare), team.Patient);
        Assert.True(opened.Ok, opened.Error?.Message);
        Assert.Null(opened.Value!.Snapshot!.Care.Entry.Latest);

        using var pcp = await app.HttpAsAsync(team.Pcp);
        await OkAsync(await pcp.PostAsJsonAsync($"api/patients/{team.Patient}/measurements", Phq9(14)));
        var change = await changes.Reader.ReadAsync().AsTask().Within(HubClient.Timeout, "the measurement's change");
        Assert.Equal(opened.Value.Seq + 1, change.Seq);
        Assert.Equal(14, change.View!.Care.Entry.Latest!.Total);
        Assert.Contains(new Contracts.Boards.CardFlag(Contracts.Boards.FlagKind.Phq9, "14"), change.View.Flags);
    }

    [Fact]
    public async Task A_phq9_of_16_after_a_baseline_of_18_eight_weeks_ago_is_due_for_review_and_exports_as_valid_fhir()
    {
        var team = await TeamAsync();
        using var pcp = await app.HttpAsAsync(team.Pcp);
        using var cm = await app.HttpAsAsync(team.CareManager);
        await OkAsync(await pcp.PostAsJsonAsync($"api/patients/{team.Patient}/measurements", Phq9(18, on: Day(56))));
        await OkAsync(await cm.PutAsJsonAsync($"api/patients/{team.Patient}/enrolment",
            new { teamId = team.Id, careManagerId = team.CareManager, psychiatristId = team.Psychiatrist, on = Day(56) }));
        await OkAsync(await cm.PostAsJsonAsync($"api/patients/{team.Patient}/contacts", new { kind = "phone", minutes = 40, on = Day(1) }));
        var care = await OkAsync(await pcp.PostAsJsonAsync($"api/patients/{team.Patient}/measurements", Phq9(16, opId: "phq-1")));
        Assert.Equal(16, care.GetProperty("entry").GetProperty("phq9")[1].GetProperty("total").GetInt32());
        Assert.Contains("psychiatricReview", care.GetProperty("status").GetProperty("prompts").GetString(), StringComparison.Ordinal);

        using var psychiatrist = await app.HttpAsAsync(team.Psychiatrist);
        var registry = await OkAsync(await psychiatrist.GetAsync($"api/teams/{team.Id}/registry"));
        var row = Assert.Single(registry.GetProperty("rows").EnumerateArray());
        Assert.Equal(team.Patient, row.GetProperty("entry").GetProperty("patientId").GetString());

        // A message in the patient's care-team chat: exported as a Communication.
        var thread = Huddle.Contracts.Chat.ThreadIds.ForPatient(team.Patient);
        await OkAsync(await cm.PostAsJsonAsync($"api/threads/{thread}/messages", new { clientMessageId = "c-fhir-1", text = "Called back: sleep better, mood still low." }));

        // The export: a bundle whose every resource validates, with the PHQ-9 total of 16 as LOINC 44261-6.
        using var response = await pcp.GetAsync($"api/fhir/patients/{team.Patient}");
        Assert.Equal("application/fhir+json", response.Content.Headers.ContentType?.MediaType);
        var bundle = Parse(await response.Content.ReadAsStringAsync());
        AssertValid(bundle);
        var totals = bundle.Entry.Select(e => e.Resource).OfType<Observation>().Where(o => o.Code.Coding.Any(c => c.System == "http://loinc.org" && c.Code == "44261-6")).ToList();
        Assert.Equal([16, 18], totals.Select(o => (o.Value as Integer)?.Value ?? -1));
        var panel = bundle.Entry.Select(e => e.Resource).OfType<Observation>().First(o => o.Code.Coding[0].Code == "44249-1");
        Assert.Equal(9, panel.Component.Count);
        Assert.Contains(panel.Component, c => c.Code.Coding[0].Code == "44260-8");
        Assert.Equal(2, bundle.Entry.Count(e => e.Resource is QuestionnaireResponse));
        var message = Assert.Single(bundle.Entry.Select(e => e.Resource).OfType<Communication>());
        Assert.Equal("Called back: sleep better, mood still low.", ((FhirString)message.Payload[0].Content).Value);
        Assert.Equal(team.CareManager, message.Sender?.Identifier?.Value);
        var careTeam = Assert.Single(bundle.Entry.Select(e => e.Resource).OfType<Hl7.Fhir.Model.CareTeam>());
        Assert.Equal(3, careTeam.Participant.Count);
        // No PHI in the export but the patient's opaque id: no name anywhere.
        Assert.DoesNotContain("Maria", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var teamExport = await psychiatrist.GetAsync($"api/fhir/teams/{team.Id}");
        var teamBundle = Parse(await teamExport.Content.ReadAsStringAsync());
        AssertValid(teamBundle);
        Assert.Equal(2, teamBundle.Entry.Count(e => e.Resource is QuestionnaireResponse));
    }

    [Fact]
    public async Task A_safety_handoff_and_a_gad7_export_as_valid_tasks_and_observations()
    {
        var team = await TeamAsync();
        using var pcp = await app.HttpAsAsync(team.Pcp);
        using var cm = await app.HttpAsAsync(team.CareManager);
        await OkAsync(await cm.PutAsJsonAsync($"api/patients/{team.Patient}/enrolment", new { teamId = team.Id, careManagerId = team.CareManager }));
        await OkAsync(await pcp.PostAsJsonAsync($"api/patients/{team.Patient}/measurements", new { instrument = "gad7", items = new[] { 3, 3, 2, 2, 1, 1, 0 } }));
        await OkAsync(await pcp.PostAsJsonAsync($"api/patients/{team.Patient}/measurements", Phq9(12, item9: 2)));

        Bundle bundle = null!;
        await Eventually.Until(async () =>
        {
            bundle = Parse(await pcp.GetStringAsync($"api/fhir/patients/{team.Patient}"));
            return bundle.Entry.Any(e => e.Resource is Hl7.Fhir.Model.Task);
        }, TimeSpan.FromSeconds(10), "the safety handoff in the export");
        AssertValid(bundle);
        var task = bundle.Entry.Select(e => e.Resource).OfType<Hl7.Fhir.Model.Task>().Single();
        Assert.Equal(RequestPriority.Stat, task.Priority);
        Assert.Equal(Hl7.Fhir.Model.Task.TaskStatus.Requested, task.Status);
        Assert.Contains(bundle.Entry.Select(e => e.Resource).OfType<Observation>(), o => o.Code.Coding[0].Code == "70274-6" && (o.Value as Integer)?.Value == 12);
    }

    [Fact]
    public async Task The_metrics_and_the_registry_export_as_csv_for_members_only()
    {
        var team = await TeamAsync();
        using var pcp = await app.HttpAsAsync(team.Pcp);
        using var cm = await app.HttpAsAsync(team.CareManager);
        await OkAsync(await pcp.PostAsJsonAsync($"api/patients/{team.Patient}/measurements", Phq9(18, on: Day(120))));
        await OkAsync(await cm.PutAsJsonAsync($"api/patients/{team.Patient}/enrolment", new { teamId = team.Id, careManagerId = team.CareManager, on = Day(120) }));
        await OkAsync(await pcp.PostAsJsonAsync($"api/patients/{team.Patient}/measurements", Phq9(8, on: Day(30))));
        await OkAsync(await cm.PostAsJsonAsync($"api/patients/{team.Patient}/contacts", new { kind = "video", minutes = 45, on = Day(0) }));

        var metrics = await OkAsync(await pcp.GetAsync($"api/teams/{team.Id}/registry-metrics"));
        Assert.Equal(1, metrics.GetProperty("enrolled").GetInt32());
        var at12 = metrics.GetProperty("at12Weeks");
        Assert.Equal((1, 1, 1), (at12.GetProperty("eligible").GetInt32(), at12.GetProperty("measured").GetInt32(), at12.GetProperty("responding").GetInt32()));
        Assert.Equal(1.0, metrics.GetProperty("contactRate").GetDouble());
        Assert.Equal(-10.0, metrics.GetProperty("meanPhq9Change").GetDouble());

        using var rows = await pcp.GetAsync($"api/teams/{team.Id}/registry.csv");
        Assert.Equal("text/csv", rows.Content.Headers.ContentType?.MediaType);
        Assert.Contains("attachment", rows.Content.Headers.ContentDisposition?.ToString() ?? rows.Headers.ToString(), StringComparison.Ordinal);
        var lines = (await rows.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("patientId,patient,careManager,", lines[0], StringComparison.Ordinal);
        Assert.StartsWith($"{team.Patient},Maria Lopez,Cam Manager,,", lines[1], StringComparison.Ordinal);
        Assert.Contains(",18,8,", lines[1], StringComparison.Ordinal);
        Assert.Contains(",-56,yes,no,", lines[1], StringComparison.Ordinal);

        var figures = await pcp.GetStringAsync($"api/teams/{team.Id}/registry-metrics.csv");
        Assert.Contains("outcomes,response at 12 weeks,1,1", figures, StringComparison.Ordinal);
        Assert.Contains("operations,caseload of Cam Manager,1,", figures, StringComparison.Ordinal);

        var quarter = await OkAsync(await pcp.GetAsync($"api/teams/{team.Id}/registry-metrics?months=3"));
        Assert.Equal(3, quarter.GetProperty("billing").GetArrayLength());
        Assert.Equal(HttpStatusCode.BadRequest, (await pcp.GetAsync($"api/teams/{team.Id}/registry-metrics?months=13")).StatusCode);

        using var outsider = await app.HttpAsAsync("u-okafor");
        Assert.Equal(HttpStatusCode.Forbidden, (await outsider.GetAsync($"api/teams/{team.Id}/registry-metrics")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await outsider.GetAsync($"api/teams/{team.Id}/registry.csv")).StatusCode);
    }

    [Fact]
    public async Task The_audit_trail_exports_as_valid_fhir_audit_events_for_administrators_only()
    {
        var team = await TeamAsync();
        using var pcp = await app.HttpAsAsync(team.Pcp);
        using var outsider = await app.HttpAsAsync("u-okafor");
        await OkAsync(await pcp.GetAsync($"api/patients/{team.Patient}/care"));
        Assert.Equal(HttpStatusCode.Forbidden, (await outsider.GetAsync($"api/patients/{team.Patient}/care")).StatusCode);

        using var admin = await app.HttpAsAsync(await app.AdministratorAsync());
        using var response = await admin.GetAsync($"api/admin/audit/fhir?patientId={team.Patient}");
        Assert.Equal("application/fhir+json", response.Content.Headers.ContentType?.MediaType);
        var bundle = Parse(await response.Content.ReadAsStringAsync());
        AssertValid(bundle);
        var events = bundle.Entry.Select(e => e.Resource).OfType<AuditEvent>().Where(e => e.Subtype.Any(c => c.Code == "Patient.GetCare")).ToList();
        var allowed = Assert.Single(events, e => e.Outcome == AuditEvent.AuditEventOutcome.N0);
        Assert.Equal(team.Pcp, allowed.Agent[0].Who?.Identifier?.Value);
        Assert.Equal(AuditEvent.AuditEventAction.R, allowed.Action);
        Assert.Contains(allowed.Entity, e => e.What?.Identifier?.Value == team.Patient);
        var denied = Assert.Single(events, e => e.Outcome == AuditEvent.AuditEventOutcome.N4);
        Assert.Equal(("u-okafor", "forbidden"), (denied.Agent[0].Who?.Identifier?.Value, denied.OutcomeDesc));

        Assert.Equal(HttpStatusCode.Forbidden, (await pcp.GetAsync($"api/admin/audit/fhir?patientId={team.Patient}")).StatusCode);
    }

    [Fact]
    public async Task Bad_input_is_refused_with_a_clear_error_and_changes_nothing()
    {
        var team = await TeamAsync();
        using var pcp = await app.HttpAsAsync(team.Pcp);
        async Task<(HttpStatusCode, string?)> Refused(HttpResponseMessage response) =>
            (response.StatusCode, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());

        Assert.Equal((HttpStatusCode.BadRequest, ErrorCodes.ValidationFailed),
            await Refused(await pcp.PostAsJsonAsync($"api/patients/{team.Patient}/measurements", new { instrument = "phq9", items = new[] { 1, 2 } })));
        Assert.Equal(HttpStatusCode.BadRequest,
            (await pcp.PostAsJsonAsync($"api/patients/{team.Patient}/measurements", new { items = new[] { 1, 2, 3, 0, 0, 0, 0, 0, 0 } })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest,
            (await pcp.PostAsJsonAsync($"api/patients/{team.Patient}/measurements", new { instrument = "phq10", items = new[] { 1 } })).StatusCode);
        Assert.Equal((HttpStatusCode.Conflict, ErrorCodes.InvalidState),
            await Refused(await pcp.PostAsJsonAsync($"api/patients/{team.Patient}/contacts", new { kind = "phone", minutes = 10 })));
        Assert.Equal((HttpStatusCode.BadRequest, ErrorCodes.ValidationFailed), await Refused(await pcp.GetAsync("api/patients/bad%20id/care")));
        using var outsider = await app.HttpAsAsync("u-okafor");
        Assert.Equal(HttpStatusCode.Forbidden, (await outsider.GetAsync($"api/patients/{team.Patient}/care")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await outsider.GetAsync($"api/fhir/patients/{team.Patient}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await outsider.GetAsync($"api/teams/{team.Id}/registry")).StatusCode);

        var care = await OkAsync(await pcp.GetAsync($"api/patients/{team.Patient}/care"));
        Assert.Equal(0, care.GetProperty("entry").GetProperty("phq9").GetArrayLength());
        Assert.Equal(0, care.GetProperty("recent").GetArrayLength());
    }

    private static Bundle Parse(string json) => new FhirJsonDeserializer().Deserialize<Bundle>(json);

    private static void AssertValid(Bundle bundle)
    {
        Assert.NotEmpty(bundle.Entry);
        var errors = new List<string>();
        foreach (var resource in bundle.Entry.Select(e => e.Resource!).Prepend(bundle))
        {
            var outcome = FhirValidator.Value.Validate(resource);
            errors.AddRange(outcome.Issue
                .Where(i => i.Severity is OperationOutcome.IssueSeverity.Error or OperationOutcome.IssueSeverity.Fatal)
                .Select(i => $"{resource.TypeName}: {i.Details?.Text} at {string.Join(",", i.Expression)}"));
        }

        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }
}
