using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Huddle.Contracts.Chat;
using Huddle.Testing;
using Huddle.Web.Http;

namespace Huddle.Web.Tests;

/// <summary>
/// Emergency access, "break the glass" (docs/security.md): a clinician off the patient's care teams
/// states why and may then read the patient's handoffs, a handoff and the patient's thread; the grant
/// is in the audit trail with its number, their reads after it too, and administrators see it with its
/// reason. A team member, a room display and a reason too short are refused, and change nothing.
/// </summary>
public sealed class EmergencyAccessTests(HuddleAppFixture app)
{
    private static string S(JsonElement e, string name) => e.GetProperty(name).ToString();

    [Fact]
    public async Task A_clinician_who_states_why_reads_the_patient_and_administrators_see_the_access_with_its_reason()
    {
        var team = await app.CreateTeamAsync();
        var handoffId = await app.RequestOneAsync(team);
        var patient = team.Patients[0];
        using var outsider = await app.HttpAsAsync(team.Outsider);

        // Before: refused everywhere.
        Assert.Equal(HttpStatusCode.Forbidden, (await outsider.GetAsync($"api/patients/{patient}/handoffs")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await outsider.GetAsync($"api/handoffs/{handoffId}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await outsider.GetAsync($"api/threads/{ThreadIds.ForPatient(patient)}/messages?before=100")).StatusCode);

        // A reason too short changes nothing.
        using (var tooShort = await outsider.PostAsJsonAsync($"api/patients/{patient}/emergency-access", new { reason = "need it" }, HuddleJson.Options))
        {
            Assert.Equal(HttpStatusCode.BadRequest, tooShort.StatusCode);
        }

        Assert.Equal(HttpStatusCode.Forbidden, (await outsider.GetAsync($"api/patients/{patient}/handoffs")).StatusCode);

        const string reason = "Seen in the ED after an overdose; need the safety plan";
        var before = DateTimeOffset.UtcNow;
        using var granted = await outsider.PostAsJsonAsync($"api/patients/{patient}/emergency-access", new { reason }, HuddleJson.Options);
        Assert.Equal(HttpStatusCode.OK, granted.StatusCode);
        var grant = await granted.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((1L, team.Outsider, reason), (grant.GetProperty("number").GetInt64(), S(grant, "userId"), S(grant, "reason")));
        var until = grant.GetProperty("until").GetDateTimeOffset();
        Assert.InRange(until - before, TimeSpan.FromMinutes(59), TimeSpan.FromMinutes(61));

        // Asking again while it is in force answers the same grant.
        using (var again = await outsider.PostAsJsonAsync($"api/patients/{patient}/emergency-access", new { reason = "Another reason, longer than ten" }, HuddleJson.Options))
        {
            Assert.Equal(1L, (await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("number").GetInt64());
        }

        // Now the patient's handoffs, the handoff and the patient's thread open; another patient's do not.
        var handoffs = await outsider.GetFromJsonAsync<JsonElement>($"api/patients/{patient}/handoffs");
        Assert.Contains(handoffId, handoffs.GetRawText(), StringComparison.Ordinal);
        (await outsider.GetAsync($"api/handoffs/{handoffId}")).EnsureSuccessStatusCode();
        (await outsider.GetAsync($"api/threads/{ThreadIds.ForPatient(patient)}/messages?before=100")).EnsureSuccessStatusCode();
        Assert.Equal(HttpStatusCode.Forbidden, (await outsider.GetAsync($"api/patients/{team.Patients[1]}/handoffs")).StatusCode);

        // A member needs none; a room display may not.
        using var pcp = await app.HttpAsAsync(team.Pcp);
        using (var member = await pcp.PostAsJsonAsync($"api/patients/{patient}/emergency-access", new { reason }, HuddleJson.Options))
        {
            Assert.Equal(HttpStatusCode.Conflict, member.StatusCode);
        }

        using var display = await app.HttpAsAsync(team.Display);
        using (var wall = await display.PostAsJsonAsync($"api/patients/{patient}/emergency-access", new { reason }, HuddleJson.Options))
        {
            Assert.Equal(HttpStatusCode.Forbidden, wall.StatusCode);
        }

        // The audit trail: the grant with its number (never its reason), then the reads it allowed.
        var adminId = await app.AdministratorAsync();
        using var admin = await app.HttpAsAsync(adminId);
        var log = (await admin.GetFromJsonAsync<JsonElement>($"api/admin/audit?patientId={patient}&userId={team.Outsider}&limit=1000"))
            .GetProperty("records").EnumerateArray().Reverse().ToList();
        var grantRecords = log.Where(r => S(r, "action") == "EmergencyAccess.Grant").ToList();
        Assert.Equal(["rejected", "allowed", "allowed"], grantRecords.Select(r => S(r, "outcome")));
        Assert.All(grantRecords.Skip(1), r => Assert.Equal("1", S(r, "ref")));
        Assert.DoesNotContain("overdose", string.Join("", log.Select(r => r.GetRawText())), StringComparison.Ordinal);
        var afterGrant = log.SkipWhile(r => S(r, "outcome") != "allowed").ToList();
        Assert.Contains(afterGrant, r => S(r, "action") == "Patient.GetHandoffs" && S(r, "outcome") == "allowed");
        Assert.Contains(afterGrant, r => S(r, "action") == "Handoff.Open" && S(r, "outcome") == "allowed");
        Assert.Equal(3, log.TakeWhile(r => S(r, "action") != "EmergencyAccess.Grant").Count(r => S(r, "outcome") == "denied"));

        // Administrators review it with its reason, by patient and by day.
        foreach (var query in new[] { $"patientId={patient}", $"day={before.UtcDateTime:yyyy-MM-dd}" })
        {
            var entries = (await admin.GetFromJsonAsync<JsonElement>($"api/admin/emergency-access?{query}")).EnumerateArray().ToList();
            var entry = Assert.Single(entries, e => S(e.GetProperty("grant"), "patientId") == patient);
            Assert.Equal((team.Outsider, reason, "Otto Side"), (S(entry.GetProperty("grant"), "userId"), S(entry.GetProperty("grant"), "reason"), S(entry, "displayName")));
            Assert.Equal(JsonValueKind.Null, entry.GetProperty("grant").GetProperty("review").ValueKind);
        }

        // And mark it reviewed, once: a bad outcome, a note too long, an unknown grant change nothing.
        var review = $"api/admin/emergency-access/{patient}/1/review";
        using (var bad = await admin.PostAsJsonAsync(review, new { outcome = "fine" }, HuddleJson.Options))
        {
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        }

        using (var tooLong = await admin.PostAsJsonAsync(review, new { outcome = "followUp", note = new string('x', 501) }, HuddleJson.Options))
        {
            Assert.Equal(HttpStatusCode.BadRequest, tooLong.StatusCode);
        }

        using (var unknown = await admin.PostAsJsonAsync($"api/admin/emergency-access/{patient}/9/review", new { outcome = "appropriate" }, HuddleJson.Options))
        {
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        }

        using (var reviewed = await admin.PostAsJsonAsync(review, new { outcome = "followUp", note = "Ask why the safety plan was needed" }, HuddleJson.Options))
        {
            Assert.Equal(HttpStatusCode.OK, reviewed.StatusCode);
            var entry = await reviewed.Content.ReadFromJsonAsync<JsonElement>();
            var done = entry.GetProperty("grant").GetProperty("review");
            Assert.Equal((adminId, "followUp", "Ask why the safety plan was needed", "Ada Auditor"), (S(done, "reviewerId"), S(done, "outcome"), S(done, "note"), S(entry, "reviewerName")));
        }

        using (var again = await admin.PostAsJsonAsync(review, new { outcome = "appropriate" }, HuddleJson.Options))
        {
            Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        }

        var listed = Assert.Single((await admin.GetFromJsonAsync<JsonElement>($"api/admin/emergency-access?patientId={patient}")).EnumerateArray());
        Assert.Equal("followUp", S(listed.GetProperty("grant").GetProperty("review"), "outcome"));
        var reviewRecords = (await admin.GetFromJsonAsync<JsonElement>($"api/admin/audit?patientId={patient}&userId={adminId}&limit=1000"))
            .GetProperty("records").EnumerateArray().Where(r => S(r, "action") == "EmergencyAccess.Review").ToList();
        Assert.Equal(["rejected", "denied", "allowed", "rejected"], reviewRecords.Select(r => S(r, "outcome")).Reverse());
        Assert.DoesNotContain("safety plan", string.Join("", reviewRecords.Select(r => r.GetRawText())), StringComparison.Ordinal);
    }
}
