using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Huddle.Contracts.CareTeams;
using Huddle.Contracts.Users;
using Huddle.Testing;
using Huddle.Web.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Huddle.Web.Tests;

/// <summary>
/// An administrator builds a team from nothing through the API as an integrator would (docs/api.md,
/// "Administration"): users, the team, its roster and room display; each bad request is refused with a
/// clear error and changes nothing; the grains check the administrator themselves, whoever calls them.
/// </summary>
public sealed class TeamAdminApiTests(HuddleAppFixture app)
{
    private static async Task<JsonElement> OkAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    private static string? AccessIn(JsonElement me, string teamId) =>
        me.GetProperty("teams").EnumerateArray().SingleOrDefault(t => t.GetProperty("teamId").GetString() == teamId) is { ValueKind: JsonValueKind.Object } team
            ? team.GetProperty("access").GetString()
            : null;

    private static async Task RefusedAsync(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"expected {(int)status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal(code, JsonDocument.Parse(body).RootElement.GetProperty("code").GetString());
    }

    [Fact]
    public async Task An_administrator_builds_a_team_of_new_users_and_bad_requests_change_nothing()
    {
        var n = Guid.NewGuid().ToString("N")[..8];
        var (teamId, pcp, bhc, wall) = ($"t-adm-{n}", $"u-apcp-{n}", $"u-abhc-{n}", $"d-awall-{n}");
        using var admin = await app.HttpAsAsync(await app.AdministratorAsync());

        // Users first: two clinicians and a room display.
        await OkAsync(await admin.PutAsJsonAsync($"api/admin/users/{pcp}", new { displayName = "Dr. Ana Ruiz", kind = "clinician" }, HuddleJson.Options));
        await OkAsync(await admin.PutAsJsonAsync($"api/admin/users/{bhc}", new { displayName = "Sam Okafor", kind = "clinician" }, HuddleJson.Options));
        await OkAsync(await admin.PutAsJsonAsync($"api/admin/users/{wall}", new { displayName = "Birch room screen", kind = "roomDisplay" }, HuddleJson.Options));
        await RefusedAsync(await admin.PutAsJsonAsync($"api/admin/users/{pcp}", new { displayName = "", kind = "clinician" }, HuddleJson.Options), HttpStatusCode.BadRequest, "validation_failed");
        await RefusedAsync(await admin.PutAsJsonAsync($"api/admin/users/{pcp}", new { displayName = "No kind" }, HuddleJson.Options), HttpStatusCode.BadRequest, "validation_failed");
        await RefusedAsync(await admin.PutAsJsonAsync("api/admin/users/bad%20id", new { displayName = "X", kind = "clinician" }, HuddleJson.Options), HttpStatusCode.BadRequest, "validation_failed");

        // A team that does not exist takes no member; created, it does.
        await RefusedAsync(await admin.PutAsJsonAsync($"api/admin/teams/{teamId}/members/{pcp}", new { role = "pcp" }, HuddleJson.Options), HttpStatusCode.NotFound, "not_found");
        await RefusedAsync(await admin.PutAsJsonAsync($"api/admin/teams/{teamId}", new { timeZoneId = "America/Chicago" }, HuddleJson.Options), HttpStatusCode.BadRequest, "validation_failed");
        await RefusedAsync(await admin.PutAsJsonAsync($"api/admin/teams/{teamId}", new { name = "Birch", timeZoneId = "Mars/Olympus" }, HuddleJson.Options), HttpStatusCode.BadRequest, "validation_failed");
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync($"api/admin/teams/{teamId}")).StatusCode);
        var created = await OkAsync(await admin.PutAsJsonAsync($"api/admin/teams/{teamId}", new { name = "Birch", timeZoneId = "America/Chicago" }, HuddleJson.Options));
        Assert.Equal(("Birch", "active", "America/Chicago"), (created.GetProperty("name").GetString(), created.GetProperty("status").GetString(), created.GetProperty("timeZoneId").GetString()));

        await OkAsync(await admin.PutAsJsonAsync($"api/admin/teams/{teamId}/members/{pcp}", new { role = "pcp" }, HuddleJson.Options));
        await OkAsync(await admin.PutAsJsonAsync($"api/admin/teams/{teamId}/members/{bhc}", new { role = "nurse" }, HuddleJson.Options));
        var roster = await OkAsync(await admin.PutAsJsonAsync($"api/admin/teams/{teamId}/members/{bhc}", new { role = "bhc" }, HuddleJson.Options));
        Assert.Equal($"{pcp}:pcp:Dr. Ana Ruiz|{bhc}:bhc:Sam Okafor",
            string.Join("|", roster.GetProperty("members").EnumerateArray().Select(m => $"{m.GetProperty("userId")}:{m.GetProperty("role")}:{m.GetProperty("displayName")}")));
        await OkAsync(await admin.PutAsync($"api/admin/teams/{teamId}/displays/{wall}", null));

        // Refused, each with its reason, and nothing changed by any of them.
        var before = (await OkAsync(await admin.GetAsync($"api/admin/teams/{teamId}"))).GetRawText();
        await RefusedAsync(await admin.PutAsJsonAsync($"api/admin/teams/{teamId}/members/{wall}", new { role = "pcp" }, HuddleJson.Options), HttpStatusCode.BadRequest, "validation_failed");
        await RefusedAsync(await admin.PutAsync($"api/admin/teams/{teamId}/displays/{pcp}", null), HttpStatusCode.BadRequest, "validation_failed");
        await RefusedAsync(await admin.PutAsJsonAsync($"api/admin/teams/{teamId}/members/{pcp}", new { }, HuddleJson.Options), HttpStatusCode.BadRequest, "validation_failed");
        await RefusedAsync(await admin.PutAsJsonAsync($"api/admin/teams/{teamId}/members/u-nobody-{n}", new { role = "pcp" }, HuddleJson.Options), HttpStatusCode.NotFound, "not_found");
        await RefusedAsync(await admin.DeleteAsync($"api/admin/teams/{teamId}/members/u-nobody-{n}"), HttpStatusCode.NotFound, "not_found");
        await RefusedAsync(await admin.DeleteAsync($"api/admin/teams/{teamId}/displays/{pcp}"), HttpStatusCode.NotFound, "not_found");
        // A user on a team keeps their kind.
        await RefusedAsync(await admin.PutAsJsonAsync($"api/admin/users/{bhc}", new { displayName = "Sam Okafor", kind = "administrator" }, HuddleJson.Options), HttpStatusCode.Conflict, "invalid_state");
        Assert.Equal(before, (await OkAsync(await admin.GetAsync($"api/admin/teams/{teamId}"))).GetRawText());
        Assert.Equal("clinician", (await OkAsync(await admin.GetAsync($"api/admin/users/{bhc}"))).GetProperty("kind").GetString());

        // The team is listed, its people have it, and they can use it: the BHC as a member, the wall as its display.
        var listed = (await OkAsync(await admin.GetAsync("api/admin/teams"))).EnumerateArray().Single(t => t.GetProperty("teamId").GetString() == teamId);
        Assert.Equal(("Birch", 2, 1), (listed.GetProperty("name").GetString(), listed.GetProperty("members").GetInt32(), listed.GetProperty("displays").GetInt32()));
        Assert.Contains(teamId, (await OkAsync(await admin.GetAsync($"api/admin/users/{wall}"))).GetProperty("teamIds").GetRawText(), StringComparison.Ordinal);
        using var asBhc = await app.HttpAsAsync(bhc);
        Assert.Equal("member", AccessIn(await OkAsync(await asBhc.GetAsync("api/me")), teamId));
        (await asBhc.GetAsync($"api/teams/{teamId}/board")).EnsureSuccessStatusCode();
        using var asWall = await app.HttpAsAsync(wall);
        Assert.Equal("display", AccessIn(await OkAsync(await asWall.GetAsync("api/me")), teamId));

        // Renamed and suspended: the directory follows.
        await OkAsync(await admin.PutAsJsonAsync($"api/admin/teams/{teamId}", new { name = "Birch clinic", status = "suspended" }, HuddleJson.Options));
        listed = (await OkAsync(await admin.GetAsync("api/admin/teams"))).EnumerateArray().Single(t => t.GetProperty("teamId").GetString() == teamId);
        Assert.Equal(("Birch clinic", "suspended"), (listed.GetProperty("name").GetString(), listed.GetProperty("status").GetString()));
    }

    [Fact]
    public async Task An_administrator_made_a_clinician_is_refused_from_the_next_request_on()
    {
        var (first, second) = (await app.AdministratorAsync(), await app.AdministratorAsync());
        using var demoted = await app.HttpAsAsync(second);
        (await demoted.GetAsync("api/admin/teams")).EnsureSuccessStatusCode();

        using var admin = await app.HttpAsAsync(first);
        await OkAsync(await admin.PutAsJsonAsync($"api/admin/users/{second}", new { displayName = "Now a nurse", kind = "clinician" }, HuddleJson.Options));

        // The same token, still saying "administrator": refused, reads and changes alike.
        Assert.Equal(HttpStatusCode.Forbidden, (await demoted.GetAsync("api/admin/teams")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await demoted.GetAsync($"api/admin/audit?userId={first}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await demoted.PutAsJsonAsync($"api/admin/users/{second}", new { displayName = "Back", kind = "administrator" }, HuddleJson.Options)).StatusCode);
    }

    [Fact]
    public async Task The_grains_refuse_anyone_but_an_administrator_whoever_calls_them()
    {
        // Past the web host's policy (a caller inside the cluster): the grains check the actor themselves.
        var team = await app.CreateTeamAsync();
        var grains = app.App.Services.GetRequiredService<IGrainFactory>();
        var asPcp = await grains.GetGrain<ICareTeamGrain>(team.TeamId).AdministerAsync(team.Pcp, new TeamAdminCommand(TeamAdminOp.RemoveMember, team.Bhc));
        Assert.Equal("forbidden", asPcp.Error?.Code);
        var selfPromoted = await grains.GetGrain<IUserGrain>(team.Outsider).AdministerAsync(team.Outsider, new UserAdminCommand("Otto", UserKind.Administrator));
        Assert.Equal("forbidden", selfPromoted.Error?.Code);
        var profile = await grains.GetGrain<ICareTeamGrain>(team.TeamId).GetProfileAsync();
        Assert.Contains(profile!.Members, m => m.UserId == team.Bhc);
        Assert.Equal(UserKind.Clinician, (await grains.GetGrain<IUserGrain>(team.Outsider).GetAsync())!.Kind);
    }
}
