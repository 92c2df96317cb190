using System.Net.Http.Json;
using Huddle.Testing;
using Huddle.Web.Http;

namespace Huddle.Ui.Tests;

/// <summary>A team's busy morning: many open warm handoffs at once.</summary>
public static class BusyMorning
{
    /// <summary>The priorities of <see cref="RequestSixAsync"/>'s handoffs, in the order requested (rooms Exam 1 to Exam 6): 2 STAT, 1 ASAP, 2 urgent, 1 routine.</summary>
    public static readonly string[] Priorities = ["routine", "urgent", "stat", "asap", "urgent", "stat"];

    /// <summary>Six open handoffs from the team's PCP to its BHC, one after the other, in rooms "Exam 1" to "Exam 6" (the team's patients in turn).</summary>
    public static async Task RequestSixAsync(HuddleAppFixture app, TestTeam team)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(team);
        using var pcp = await app.HttpAsAsync(team.Pcp);
        for (var i = 0; i < Priorities.Length; i++)
        {
            using var requested = await pcp.PostAsJsonAsync("api/handoffs", new
            {
                teamId = team.TeamId,
                patientId = team.Patients[i % team.Patients.Length],
                room = $"Exam {i + 1}",
                target = new { userId = team.Bhc },
                priority = Priorities[i],
                reason = new { situation = "Tearful, PHQ-9 of 18 today" },
            }, HuddleJson.Options);
            requested.EnsureSuccessStatusCode();
        }
    }
}
