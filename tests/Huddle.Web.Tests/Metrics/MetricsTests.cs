using System.Net;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Text.Json;
using Bunit;
using Huddle.Contracts.Common;
using Huddle.Testing;
using Huddle.Web.Auth;
using Huddle.Web.Http;
using Huddle.Web.Metrics;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;

namespace Huddle.Web.Tests.Metrics;

/// <summary>A team's warm-handoff metrics over HTTP and on the metrics page, from handoffs made through the API.</summary>
public sealed class MetricsTests(HuddleAppFixture app)
{
    [Fact]
    public async Task The_api_serves_the_teams_metrics_to_members_and_refuses_everyone_else()
    {
        var team = await app.CreateTeamAsync();
        await app.CompleteOneAsync(team);

        using var pcp = await app.HttpAsAsync(team.Pcp);
        var report = await pcp.GetFromJsonAsync<JsonElement>($"api/teams/{team.TeamId}/handoff-metrics?days=1");
        Assert.Equal((1, 1.0, 0.0), (report.GetProperty("requested").GetInt32(), report.GetProperty("completionRate").GetDouble(), report.GetProperty("escalationRate").GetDouble()));
        Assert.Equal(1, report.GetProperty("timeToAccept").GetProperty("count").GetInt32());
        Assert.Single(report.GetProperty("days").EnumerateArray());
        Assert.Equal(7, (await pcp.GetFromJsonAsync<JsonElement>($"api/teams/{team.TeamId}/handoff-metrics")).GetProperty("days").GetArrayLength());

        using var display = await app.HttpAsAsync(team.Display);
        Assert.Equal(HttpStatusCode.Forbidden, (await display.GetAsync($"api/teams/{team.TeamId}/handoff-metrics")).StatusCode);
        using var outsider = await app.HttpAsAsync(team.Outsider);
        Assert.Equal(HttpStatusCode.Forbidden, (await outsider.GetAsync($"api/teams/{team.TeamId}/handoff-metrics")).StatusCode);
        using var tooLong = await pcp.GetAsync($"api/teams/{team.TeamId}/handoff-metrics?days=90");
        Assert.Equal(HttpStatusCode.BadRequest, tooLong.StatusCode);
    }

    [Fact]
    public async Task The_metrics_page_shows_the_figures_and_the_days_and_says_when_there_is_nothing_to_count()
    {
        var team = await app.CreateTeamAsync();
        await app.CompleteOneAsync(team);
        await using var ctx = new BunitContext();
        ctx.JSInterop.Mode = JSRuntimeMode.Loose;
        ctx.Services.AddMudServices(o => o.PopoverOptions.CheckForPopoverProvider = false);
        ctx.Services.AddSingleton(app.App.Services.GetRequiredService<MetricsService>());
        ctx.AddAuthorization().SetAuthorized(team.Pcp).SetClaims(new Claim(HuddleClaims.UserId, team.Pcp));

        var page = ctx.Render<MetricsPage>(p => p.Add(x => x.TeamId, team.TeamId));
        page.WaitForAssertion(() => Assert.Equal("1", page.Find("[data-figure=requested] [data-testid=figure-value]").TextContent.Trim()), TimeSpan.FromSeconds(10));
        Assert.Contains("100", page.Find("[data-figure=completion] [data-testid=figure-value]").TextContent, StringComparison.Ordinal);
        Assert.Equal("—", page.Find("[data-figure=attendance] [data-testid=figure-value]").TextContent.Trim());
        Assert.Equal(7, page.FindAll("[data-testid=metrics-days] tbody tr").Count);

        await page.InvokeAsync(() => page.Find("[data-testid=period][data-days='30']").Click());
        page.WaitForAssertion(() => Assert.Equal(30, page.FindAll("[data-testid=metrics-days] tbody tr").Count), TimeSpan.FromSeconds(10));

        var outsider = ctx.Render<MetricsPage>(p => p.Add(x => x.TeamId, "team-does-not-exist"));
        outsider.WaitForAssertion(() => Assert.Equal(ErrorCodes.NotFound, outsider.Find("[data-testid=metrics-error]").GetAttribute("data-code")), TimeSpan.FromSeconds(10));
    }
}
