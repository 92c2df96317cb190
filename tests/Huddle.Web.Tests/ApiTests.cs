using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Huddle.Testing;
using Huddle.Contracts.Common;
using Microsoft.Extensions.DependencyInjection;

namespace Huddle.Web.Tests;

/// <summary>The HTTP API as docs/api.md describes it.</summary>
public sealed class ApiTests(HuddleAppFixture app)
{
    private static async Task<string?> CodeOf(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString();

    [Fact]
    public async Task Dev_token_for_a_demo_identity_then_me_lists_that_users_teams()
    {
        using var http = await app.HttpAsAsync("u-okafor");
        var me = await http.GetFromJsonAsync<JsonElement>("api/me");
        Assert.Equal(("u-okafor", "Sam Okafor", "clinician", "bhc"),
            (me.GetProperty("userId").GetString(), me.GetProperty("displayName").GetString(), me.GetProperty("kind").GetString(), me.GetProperty("role").GetString()));
        var teams = me.GetProperty("teams").EnumerateArray().Select(t => t.GetProperty("teamId").GetString()).ToList();
        Assert.Equal(["team-maple", "team-harbor"], teams);
        // Their role on each team, as the home page's cards say it.
        Assert.All(me.GetProperty("teams").EnumerateArray(), t => Assert.Equal("bhc", t.GetProperty("role").GetString()));
    }

    [Fact]
    public async Task Demo_boards_are_seeded_with_patients_flags_and_action_items()
    {
        using var http = await app.HttpAsAsync("u-chen");
        var board = await http.GetFromJsonAsync<JsonElement>("api/teams/team-maple/board");
        Assert.True(board.GetProperty("version").GetInt64() > 0);
        Assert.True(board.GetProperty("cards").GetArrayLength() >= 5);
        Assert.Contains(board.GetProperty("cards").EnumerateArray(), c => c.GetProperty("flags").EnumerateArray().Any(f => f.GetProperty("kind").GetString() == "phq9"));
        Assert.True(board.GetProperty("actionItems").GetArrayLength() >= 2);
    }

    [Fact]
    public async Task A_token_for_an_unknown_user_is_not_found()
    {
        using var http = app.Http();
        using var response = await http.PostAsJsonAsync("api/dev/token", new { userId = "u-nobody" });
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(ErrorCodes.NotFound, await CodeOf(response));
    }

    [Fact]
    public async Task Reading_a_board_needs_a_token_and_membership()
    {
        var team = await app.CreateTeamAsync();
        using var anonymous = app.Http();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync($"api/teams/{team.TeamId}/board")).StatusCode);

        using var outsider = await app.HttpAsAsync(team.Outsider);
        using var forbidden = await outsider.GetAsync($"api/teams/{team.TeamId}/board");
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        Assert.Equal(ErrorCodes.Forbidden, await CodeOf(forbidden));

        using var member = await app.HttpAsAsync(team.Pcp);
        using var missing = await member.GetAsync("api/teams/team-nope/board");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        var board = await member.GetFromJsonAsync<JsonElement>($"api/teams/{team.TeamId}/board");
        Assert.Equal(team.TeamId, board.GetProperty("teamId").GetString());
    }

    [Fact]
    public async Task Board_operations_over_http_return_the_new_version_or_a_problem_with_a_code()
    {
        var team = await app.CreateTeamAsync();
        using var http = await app.HttpAsAsync(team.Pcp);
        var version = (await http.GetFromJsonAsync<JsonElement>($"api/teams/{team.TeamId}/board")).GetProperty("version").GetInt64();

        using var ok = await http.PostAsJsonAsync($"api/teams/{team.TeamId}/board/addLane", new { title = "Stagnant" });
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal(version + 1, (await ok.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("version").GetInt64());

        using var stale = await http.PostAsJsonAsync($"api/teams/{team.TeamId}/board/renameLane", new { laneId = "lane-1", title = "x", expectedVersion = version });
        Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
        Assert.Equal(ErrorCodes.VersionConflict, await CodeOf(stale));

        using var bad = await http.PostAsJsonAsync($"api/teams/{team.TeamId}/board/addLane", new { title = new string('t', 500) });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);

        using var unknown = await http.PostAsJsonAsync($"api/teams/{team.TeamId}/board/teleportCard", new { });
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);

        using var display = await app.HttpAsAsync(team.Display);
        using var denied = await display.PostAsJsonAsync($"api/teams/{team.TeamId}/board/addLane", new { title = "wall" });
        Assert.Equal(HttpStatusCode.Forbidden, denied.StatusCode);

        Assert.Equal(version + 1, (await http.GetFromJsonAsync<JsonElement>($"api/teams/{team.TeamId}/board")).GetProperty("version").GetInt64());
    }

    [Fact]
    public async Task Members_list_the_teams_patients_and_the_room_display_cannot()
    {
        var team = await app.CreateTeamAsync();
        using var pcp = await app.HttpAsAsync(team.Pcp);
        var patients = await pcp.GetFromJsonAsync<JsonElement>($"api/teams/{team.TeamId}/patients");
        Assert.Equal(["Alma Reyes", "Boris Ng", "Chloe Park"], patients.EnumerateArray().Select(p => p.GetProperty("displayName").GetString()));
        Assert.Equal("A.R.", patients[0].GetProperty("initials").GetString());

        using var display = await app.HttpAsAsync(team.Display);
        using var denied = await display.GetAsync($"api/teams/{team.TeamId}/patients");
        Assert.Equal(HttpStatusCode.Forbidden, denied.StatusCode);
    }

    [Fact]
    public async Task Malformed_requests_get_a_problem_with_a_code_and_change_nothing()
    {
        var team = await app.CreateTeamAsync();
        using var http = await app.HttpAsAsync(team.Pcp);
        var version = (await http.GetFromJsonAsync<JsonElement>($"api/teams/{team.TeamId}/board")).GetProperty("version").GetInt64();

        using var badJson = await http.PostAsync($"api/teams/{team.TeamId}/board/addLane", new StringContent("{\"title\": ", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, badJson.StatusCode);
        Assert.Equal(ErrorCodes.ValidationFailed, await CodeOf(badJson));

        using var misspelt = await http.PostAsJsonAsync($"api/teams/{team.TeamId}/board/addLane", new { titel = "Stagnant" });
        Assert.Equal(ErrorCodes.ValidationFailed, await CodeOf(misspelt));

        using var noRange = await http.GetAsync($"api/teams/{team.TeamId}/board/history");
        Assert.Equal(HttpStatusCode.BadRequest, noRange.StatusCode);
        Assert.Equal(ErrorCodes.ValidationFailed, await CodeOf(noRange));

        Assert.Equal(version, (await http.GetFromJsonAsync<JsonElement>($"api/teams/{team.TeamId}/board")).GetProperty("version").GetInt64());

        // Optional arguments may be left out.
        (await http.PostAsJsonAsync($"api/teams/{team.TeamId}/board/startHuddle", new { })).EnsureSuccessStatusCode();
        (await http.PostAsJsonAsync($"api/teams/{team.TeamId}/board/endHuddle", new { })).EnsureSuccessStatusCode();
    }

    [Fact]
    public async Task A_team_in_an_unknown_time_zone_is_refused()
    {
        using var http = app.Http();
        using var response = await http.PutAsJsonAsync("api/dev/teams/team-mars", new
        {
            name = "Olympus clinic",
            members = new[] { new { userId = "u-mars", displayName = "Dr. Mars", role = "pcp" } },
            timeZoneId = "Mars/Olympus_Mons",
        });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(ErrorCodes.ValidationFailed, await CodeOf(response));
    }

    [Fact]
    public async Task The_browser_cookie_opens_pages_but_never_the_api()
    {
        var cookies = new System.Net.CookieContainer();
        using var handler = new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false };
        using var browser = new HttpClient(handler) { BaseAddress = app.BaseAddress };
        var page = await browser.GetStringAsync("signin");
        var token = Antiforgery.TokenIn(page);
        Assert.NotEmpty(token);
        using var signIn = await browser.PostAsync("dev/signin", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["userId"] = "u-chen",
            ["__RequestVerificationToken"] = token,
        }));
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        Assert.NotEmpty(cookies.GetCookies(app.BaseAddress));

        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("teams/team-maple/board")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.GetAsync("api/me")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.PostAsJsonAsync("api/teams/team-maple/board/startHuddle", new { })).StatusCode);
    }

    [Fact]
    public async Task The_room_display_reads_initials_only()
    {
        var team = await app.CreateTeamAsync();
        using var pcp = await app.HttpAsAsync(team.Pcp);
        (await pcp.PostAsJsonAsync($"api/teams/{team.TeamId}/board/addCard", new { patientId = team.Patients[1], laneId = "lane-2", note = "private note" })).EnsureSuccessStatusCode();
        using var display = await app.HttpAsAsync(team.Display);
        var board = await display.GetFromJsonAsync<JsonElement>($"api/teams/{team.TeamId}/board");
        var card = board.GetProperty("cards")[0];
        Assert.Equal("B.N.", card.GetProperty("patientName").GetString());
        Assert.Equal(JsonValueKind.Null, card.GetProperty("note").ValueKind);
        Assert.DoesNotContain("Boris", board.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Changes_since_a_version_are_read_over_http_in_the_hub_reply_shape()
    {
        var team = await app.CreateTeamAsync();
        using var pcp = await app.HttpAsAsync(team.Pcp);
        var version = (await pcp.GetFromJsonAsync<JsonElement>($"api/teams/{team.TeamId}/board")).GetProperty("version").GetInt64();
        (await pcp.PostAsJsonAsync($"api/teams/{team.TeamId}/board/addActionItem", new { title = "Book interpreter" })).EnsureSuccessStatusCode();
        (await pcp.PostAsJsonAsync($"api/teams/{team.TeamId}/board/addNote", new { kind = "lookBack", text = "Quiet night" })).EnsureSuccessStatusCode();

        var changes = await pcp.GetFromJsonAsync<JsonElement>($"api/teams/{team.TeamId}/board/changes?since={version}");
        Assert.Equal((true, false, version + 2), (changes.GetProperty("ok").GetBoolean(), changes.GetProperty("reset").GetBoolean(), changes.GetProperty("version").GetInt64()));
        Assert.Equal(["addActionItem", "addNote"], changes.GetProperty("changes").EnumerateArray().Select(c => c.GetProperty("op").GetString()));
        Assert.False(changes.TryGetProperty("team", out _));

        using var display = await app.HttpAsAsync(team.Display);
        var wall = await display.GetFromJsonAsync<JsonElement>($"api/teams/{team.TeamId}/board/changes?since={version}");
        Assert.Equal("display", wall.GetProperty("access").GetString());

        using var outsider = await app.HttpAsAsync(team.Outsider);
        using var denied = await outsider.GetAsync($"api/teams/{team.TeamId}/board/changes?since={version}");
        Assert.Equal(HttpStatusCode.Forbidden, denied.StatusCode);
        using var noSince = await pcp.GetAsync($"api/teams/{team.TeamId}/board/changes");
        Assert.Equal(ErrorCodes.ValidationFailed, await CodeOf(noSince));
    }
}

/// <summary>Outside Development there is no dev sign-in at all.</summary>
public sealed class ProductionTests(HuddleProductionAppFixture app) : IClassFixture<HuddleProductionAppFixture>
{
    [Fact]
    public async Task Dev_endpoints_answer_404_outside_development()
    {
        using var http = app.Http();
        Assert.Equal(HttpStatusCode.NotFound, (await http.PostAsJsonAsync("api/dev/token", new { userId = "u-chen" })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.PutAsJsonAsync("api/dev/teams/x", new { name = "x", members = Array.Empty<object>() })).StatusCode);
        var signIn = await http.GetStringAsync("signin");
        Assert.DoesNotContain("u-chen", signIn, StringComparison.Ordinal);
        Assert.Contains("not configured", signIn, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_new_deployment_starts_with_the_configured_administrator_and_no_one_else()
    {
        // No demo data outside Development: the first administrator is the one user, made from the settings.
        var grains = app.App.Services.GetRequiredService<IGrainFactory>();
        var admin = await grains.GetGrain<Contracts.Users.IUserGrain>(HuddleProductionAppFixture.BootstrapAdministrator).GetAsync();
        Assert.Equal(("First Administrator", Contracts.Users.UserKind.Administrator), (admin?.DisplayName, admin?.Kind));
        Assert.Null(await grains.GetGrain<Contracts.Users.IUserGrain>("u-chen").GetAsync());
        Assert.Empty(await grains.GetGrain<Contracts.CareTeams.ITeamDirectoryGrain>(Contracts.CareTeams.ITeamDirectoryGrain.Key).ListAsync());
    }
}
