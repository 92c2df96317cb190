using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Huddle.Contracts.Audit;
using Huddle.Contracts.Users;
using Huddle.Testing;
using Huddle.Web.Http;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Huddle.Web.Tests;

/// <summary>
/// The audit trail (docs/security.md, "Audit"): every call on patient data made through the hub or
/// the API is one record with the right user, record, outcome, client and connection; a refused call
/// is one Denied record; an administrator reads the day's log, a patient's log, the per-patient access
/// report and the CSV, and their reading is audited too; nobody else can read any of it.
/// </summary>
public sealed class AuditTrailTests(HuddleAppFixture app)
{
    /// <summary>The records of <paramref name="userId"/> in the day logs since <paramref name="since"/> (today's, and yesterday's across midnight), newest first.</summary>
    private static async Task<List<JsonElement>> DayRecordsAsync(HttpClient admin, string userId, DateTimeOffset since)
    {
        var records = new List<JsonElement>();
        for (var day = DateOnly.FromDateTime(DateTime.UtcNow); day >= DateOnly.FromDateTime(since.UtcDateTime); day = day.AddDays(-1))
        {
            var answer = await admin.GetFromJsonAsync<JsonElement>($"api/admin/audit?day={day:yyyy-MM-dd}&userId={userId}&limit=1000");
            records.AddRange(answer.GetProperty("records").EnumerateArray());
        }

        return records;
    }

    private static string S(JsonElement record, string name) => record.GetProperty(name).ValueKind == JsonValueKind.Null ? "" : record.GetProperty(name).ToString();

    [Fact]
    public async Task Each_call_on_patient_data_is_one_record_with_who_what_which_patient_and_connection_and_a_refusal_is_one_denied_record()
    {
        var since = DateTimeOffset.UtcNow;
        var team = await app.CreateTeamAsync();
        var handoffId = await app.RequestOneAsync(team);
        var patient = team.Patients[0];

        // The BHC opens the handoff by hub, then by HTTP; the outsider tries to open it by hub.
        await using var bhc = await app.HubAsAsync(team.Bhc);
        var opened = await bhc.InvokeAsync<JsonElement>("OpenHandoff", handoffId);
        Assert.True(opened.GetProperty("ok").GetBoolean(), opened.GetRawText());
        using var bhcHttp = await app.HttpAsAsync(team.Bhc);
        (await bhcHttp.GetAsync($"api/handoffs/{handoffId}")).EnsureSuccessStatusCode();
        await using var outsider = await app.HubAsAsync(team.Outsider);
        var refused = await outsider.InvokeAsync<JsonElement>("OpenHandoff", handoffId);
        Assert.False(refused.GetProperty("ok").GetBoolean());

        var adminId = await app.AdministratorAsync();
        using var admin = await app.HttpAsAsync(adminId);

        // The BHC's two opens: one record each, by hub with its connection, by HTTP.
        var bhcOpens = (await DayRecordsAsync(admin, team.Bhc, since)).Where(r => S(r, "action") == "Handoff.Open").ToList();
        Assert.True(bhcOpens.Count == 2, string.Join("\n", bhcOpens.Select(r => r.GetRawText())));
        Assert.All(bhcOpens, r =>
        {
            Assert.Equal("handoff", S(r, "targetKind"));
            Assert.Equal(handoffId, S(r, "targetId"));
            Assert.Equal(patient, S(r, "patientId"));
            Assert.Equal("allowed", S(r, "outcome"));
        });
        // (The .NET client skipping negotiation is not told its connection id: the server's is in the record.)
        var byHub = Assert.Single(bhcOpens, r => S(r, "client") == "hub" && S(r, "connection").Length > 0);
        Assert.Single(bhcOpens, r => S(r, "client") == "http" && S(r, "connection").Length > 0);

        // The outsider's refusal: exactly one record, Denied, forbidden, on the patient.
        var outsiders = await DayRecordsAsync(admin, team.Outsider, since);
        var denied = Assert.Single(outsiders);
        Assert.Equal(("Handoff.Open", "denied", "forbidden", patient, "hub"),
            (S(denied, "action"), S(denied, "outcome"), S(denied, "code"), S(denied, "patientId"), S(denied, "client")));
        Assert.NotEqual(S(byHub, "connection"), S(denied, "connection"));

        // The PCP's request is on the patient's log too; the access report has the three of them.
        var patientLog = await admin.GetFromJsonAsync<JsonElement>($"api/admin/audit?patientId={patient}&limit=1000");
        var onPatient = patientLog.GetProperty("records").EnumerateArray().ToList();
        Assert.Contains(onPatient, r => S(r, "userId") == team.Pcp && S(r, "action") == "Handoff.Request" && S(r, "outcome") == "allowed");
        Assert.All(onPatient, r => Assert.Equal(patient, S(r, "patientId")));
        var report = await admin.GetFromJsonAsync<JsonElement>($"api/admin/patients/{patient}/access");
        var people = report.GetProperty("people").EnumerateArray().ToDictionary(p => S(p, "userId"));
        Assert.Equal("Dr. Pat Carter", S(people[team.Pcp], "displayName"));
        Assert.Equal(0, people[team.Bhc].GetProperty("denied").GetInt32());
        Assert.Equal(1, people[team.Outsider].GetProperty("denied").GetInt32());
        Assert.Contains("Handoff.Open", people[team.Bhc].GetProperty("actions").EnumerateArray().Select(a => a.GetString()));

        // Nothing of a name or free text in any record: ids and codes only.
        Assert.DoesNotContain("Alma", patientLog.GetRawText(), StringComparison.Ordinal);
        Assert.DoesNotContain("PHQ-9", patientLog.GetRawText(), StringComparison.Ordinal);

        // The administrator's reading is itself audited.
        var reads = await DayRecordsAsync(admin, adminId, since);
        Assert.Contains(reads, r => S(r, "action") == "AuditLog.Read" && S(r, "targetKind") == "patientauditlog" && S(r, "targetId") == patient);
        // ... and left out when asked (the audit page's default, so the officer's own reading does not bury the rest),
        // here and in the CSV.
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var hidden = await admin.GetFromJsonAsync<JsonElement>($"api/admin/audit?day={today:yyyy-MM-dd}&userId={adminId}&hideAuditReads=true&limit=1000");
        Assert.DoesNotContain(hidden.GetProperty("records").EnumerateArray(), r => S(r, "action") == "AuditLog.Read");
        var csv = await admin.GetStringAsync($"api/admin/audit.csv?day={today:yyyy-MM-dd}&userId={adminId}&hideAuditReads=true");
        Assert.DoesNotContain(",AuditLog.Read,", csv, StringComparison.Ordinal);
        Assert.Contains(",AuditLog.Read,", await admin.GetStringAsync($"api/admin/audit.csv?day={today:yyyy-MM-dd}&userId={adminId}"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_csv_has_every_matching_record_and_bad_filters_are_refused()
    {
        var since = DateTimeOffset.UtcNow;
        var team = await app.CreateTeamAsync();
        using var pcp = await app.HttpAsAsync(team.Pcp);
        for (var i = 0; i < 3; i++)
        {
            (await pcp.GetAsync($"api/patients/{team.Patients[1]}/handoffs")).EnsureSuccessStatusCode();
        }

        using var admin = await app.HttpAsAsync(await app.AdministratorAsync());
        using var csv = await admin.GetAsync($"api/admin/audit.csv?patientId={team.Patients[1]}");
        csv.EnsureSuccessStatusCode();
        Assert.Equal("text/csv", csv.Content.Headers.ContentType?.MediaType);
        var lines = (await csv.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("at,user_id,action,target_kind,target_id,patient_id,outcome,code,client,connection,ref", lines[0]);
        Assert.Equal(3, lines.Count(l => l.Contains($",{team.Pcp},Patient.GetHandoffs,patient,{team.Patients[1]},{team.Patients[1]},allowed,,http,", StringComparison.Ordinal)));
        Assert.True((await DayRecordsAsync(admin, team.Pcp, since)).Count >= 3);

        foreach (var bad in new[] { "day=2026-13-01", "outcome=Maybe", "limit=0", "limit=5000", "patientId=a%2Fb", "before=-1" })
        {
            using var answer = await admin.GetAsync($"api/admin/audit?{bad}");
            Assert.True(answer.StatusCode == HttpStatusCode.BadRequest, $"{bad}: {(int)answer.StatusCode}");
        }
    }

    [Fact]
    public async Task Only_administrators_read_the_trail()
    {
        var team = await app.CreateTeamAsync();
        foreach (var user in new[] { team.Pcp, team.Display, team.Outsider })
        {
            using var http = await app.HttpAsAsync(user);
            foreach (var path in new[] { "api/admin/audit", "api/admin/audit.csv", $"api/admin/patients/{team.Patients[0]}/access" })
            {
                using var answer = await http.GetAsync(path);
                Assert.True(answer.StatusCode == HttpStatusCode.Forbidden, $"{user} {path}: {(int)answer.StatusCode}");
            }
        }
    }
}
