using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Huddle.Contracts.Common;
using Huddle.Testing;
using Huddle.Web.Auth;
using Huddle.Web.Http;
using Microsoft.Extensions.Configuration;

namespace Huddle.Web.Tests;

/// <summary>
/// The dev API (a token for any user, any roster rewritten) exists in Development only, and even there
/// answers only a request carrying the dev token (docs/security.md, "The dev API").
/// </summary>
public sealed class DevTokenTests(HuddleAppFixture app)
{
    private HttpClient Without(string? token)
    {
        var http = new HttpClient { BaseAddress = app.BaseAddress };
        if (token is not null)
        {
            http.DefaultRequestHeaders.Add(DevToken.Header, token);
        }

        return http;
    }

    [Fact]
    public async Task Without_the_dev_token_the_dev_api_answers_401_and_changes_nothing()
    {
        var team = await app.CreateTeamAsync();
        var takeover = new DevTeamRequest("Taken over", [new(team.Outsider, "Otto Side", Contracts.CareTeams.CareTeamRole.Pcp)]);
        foreach (var token in new[] { null, string.Empty, "not-the-token-at-all", app.DevToken.ToUpperInvariant() + "x" })
        {
            using var http = Without(token);
            using var put = await http.PutAsJsonAsync($"api/dev/teams/{team.TeamId}", takeover, HuddleJson.Options);
            Assert.Equal(HttpStatusCode.Unauthorized, put.StatusCode);
            var problem = await put.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(ErrorCodes.Unauthorized, problem.GetProperty("code").GetString());
            Assert.Contains(DevToken.Header, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);

            using var minted = await http.PostAsJsonAsync("api/dev/token", new { userId = team.Pcp });
            Assert.Equal(HttpStatusCode.Unauthorized, minted.StatusCode);
            Assert.DoesNotContain("accessToken", await minted.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        // The roster is as it was: the PCP still reads the board, the outsider still may not.
        using var pcp = await app.HttpAsAsync(team.Pcp);
        Assert.Equal(HttpStatusCode.OK, (await pcp.GetAsync($"api/teams/{team.TeamId}/board")).StatusCode);
        using var outsider = await app.HttpAsAsync(team.Outsider);
        Assert.Equal(HttpStatusCode.Forbidden, (await outsider.GetAsync($"api/teams/{team.TeamId}/board")).StatusCode);

        // With the token, the same call goes through.
        using var dev = Without(app.DevToken);
        Assert.Equal(HttpStatusCode.NoContent, (await dev.PutAsJsonAsync($"api/dev/teams/{team.TeamId}", takeover, HuddleJson.Options)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await outsider.GetAsync($"api/teams/{team.TeamId}/board")).StatusCode);
    }

    [Fact]
    public void Unset_a_random_token_is_made_at_each_start_and_a_short_one_stops_the_start()
    {
        var empty = new ConfigurationBuilder().Build();
        var (first, second) = (DevToken.From(empty), DevToken.From(empty));
        Assert.True(first.Generated);
        Assert.Matches("^[0-9a-f]{32}$", first.Value);
        Assert.NotEqual(first.Value, second.Value);
        Assert.True(first.Matches(first.Value));
        Assert.False(first.Matches(second.Value));
        Assert.False(first.Matches(null));

        var configured = DevToken.From(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [DevToken.Key] = "a-team-shared-dev-token" }).Build());
        Assert.False(configured.Generated);
        Assert.True(configured.Matches("a-team-shared-dev-token"));

        var error = Assert.Throws<InvalidOperationException>(() => DevToken.From(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [DevToken.Key] = "short" }).Build()));
        Assert.Contains(DevToken.Key, error.Message, StringComparison.Ordinal);
    }
}
