using System.Net.Http.Json;
using System.Text.Json;
using Huddle.Web.Http;

namespace Huddle.Testing;

/// <summary>Warm handoffs driven through the HTTP API, as an integrator would.</summary>
public static class HandoffFlows
{
    /// <summary>A handoff for the team's first patient to its BHC by name, left waiting for an answer; returns its id.</summary>
    public static async Task<string> RequestOneAsync(this HuddleAppFixture app, TestTeam team)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(team);
        using var pcp = await app.HttpAsAsync(team.Pcp);
        using var requested = await pcp.PostAsJsonAsync("api/handoffs", new
        {
            teamId = team.TeamId,
            patientId = team.Patients[0],
            room = "Exam 1",
            target = new { userId = team.Bhc },
            priority = "urgent",
            reason = new { situation = "PHQ-9 of 18 today" },
        }, HuddleJson.Options);
        requested.EnsureSuccessStatusCode();
        return (await requested.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("handoffId").GetString()!;
    }

    /// <summary>A handoff for the team's first patient to its BHC by name, taken from request to completion; returns its id.</summary>
    public static async Task<string> CompleteOneAsync(this HuddleAppFixture app, TestTeam team)
    {
        var id = await app.RequestOneAsync(team);
        using var bhc = await app.HttpAsAsync(team.Bhc);
        foreach (var (op, body) in new (string, object)[] { ("accept", new { etaMinutes = 2 }), ("join", new { }), ("complete", new { }) })
        {
            using var step = await bhc.PostAsJsonAsync($"api/handoffs/{id}/{op}", body, HuddleJson.Options);
            step.EnsureSuccessStatusCode();
        }

        return id;
    }
}
