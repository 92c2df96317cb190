using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Huddle.Testing;

namespace Huddle.Web.Tests.Handoffs;

/// <summary>A patient's warm handoffs, open and past, as the patient page and integrators read them.</summary>
public sealed class PatientHandoffsTests(HuddleAppFixture app)
{
    [Fact]
    public async Task A_patient_lists_its_handoffs_for_the_clinicians_of_its_teams()
    {
        var team = await app.CreateTeamAsync();
        var id = await app.CompleteOneAsync(team);

        using var pcp = await app.HttpAsAsync(team.Pcp);
        var handoffs = await pcp.GetFromJsonAsync<JsonElement>($"api/patients/{team.Patients[0]}/handoffs");
        var only = Assert.Single(handoffs.EnumerateArray());
        Assert.Equal((id, "completed"), (only.GetProperty("handoffId").GetString(), only.GetProperty("status").GetString()));
        Assert.False(only.TryGetProperty("reason", out _));
        Assert.Empty((await pcp.GetFromJsonAsync<JsonElement>($"api/patients/{team.Patients[1]}/handoffs")).EnumerateArray());

        using var outsider = await app.HttpAsAsync(team.Outsider);
        Assert.Equal(HttpStatusCode.Forbidden, (await outsider.GetAsync($"api/patients/{team.Patients[0]}/handoffs")).StatusCode);
        using var display = await app.HttpAsAsync(team.Display);
        Assert.Equal(HttpStatusCode.Forbidden, (await display.GetAsync($"api/patients/{team.Patients[0]}/handoffs")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await pcp.GetAsync("api/patients/p-nobody/handoffs")).StatusCode);
    }
}
