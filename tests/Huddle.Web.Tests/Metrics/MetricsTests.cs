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
        // Two days: the handoff counts whether or not the team's midnight passed since it was made.
        var report = await pcp.GetFromJsonAsync<JsonElement>($"api/teams/{team.TeamId}/handoff-metrics?days=2");
        Assert.Equal((1, 1.0, 0.0), (report.GetProperty("requested").GetInt32(), report.GetProperty("completionRate").GetDouble(), report.GetProperty("escalationRate").GetDouble()));
        Assert.Equal(1, report.GetProperty("timeToAccept").GetProperty("count").GetInt32());
        Assert.Equal(2, report.GetProperty("days").GetArrayLength());
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
        AddServices(ctx);
        ctx.AddAuthorization().SetAuthorized(team.Pcp).SetClaims(new Claim(HuddleClaims.UserId, team.Pcp));

        var page = ctx.Render<MetricsPage>(p => p.Add(x => x.TeamId, team.TeamId));
        page.WaitForAssertion(() => Assert.Equal("1", page.Find("[data-figure=requested] [data-testid=figure-value]").TextContent.Trim()), TimeSpan.FromSeconds(10));
        // The page names its team, and the chosen period is the one drawn pressed (filled), the others outlined.
        page.WaitForAssertion(() => Assert.Matches(@"^Warm handoff metrics · Test team \d+$", page.Find("[data-testid=metrics-title]").TextContent.Trim()), TimeSpan.FromSeconds(10));
        Assert.Contains("mud-button-filled", page.Find("[data-testid=period][data-days='7']").ClassName, StringComparison.Ordinal);
        Assert.Contains("mud-button-outlined", page.Find("[data-testid=period][data-days='30']").ClassName, StringComparison.Ordinal);
        Assert.Empty(page.FindAll("[data-testid=demo-history]"));
        Assert.Contains("100", page.Find("[data-figure=completion] [data-testid=figure-value]").TextContent, StringComparison.Ordinal);
        Assert.Equal("—", page.Find("[data-figure=attendance] [data-testid=figure-value]").TextContent.Trim());
        Assert.Equal(7, page.FindAll("[data-testid=metrics-days] tbody tr").Count);

        await page.InvokeAsync(() => page.Find("[data-testid=period][data-days='30']").Click());
        page.WaitForAssertion(() => Assert.Equal(30, page.FindAll("[data-testid=metrics-days] tbody tr").Count), TimeSpan.FromSeconds(10));

        Assert.Contains("mud-button-filled", page.Find("[data-testid=period][data-days='30']").ClassName, StringComparison.Ordinal);
        Assert.Contains("mud-button-outlined", page.Find("[data-testid=period][data-days='7']").ClassName, StringComparison.Ordinal);

        var outsider = ctx.Render<MetricsPage>(p => p.Add(x => x.TeamId, "team-does-not-exist"));
        outsider.WaitForAssertion(() => Assert.Equal(ErrorCodes.NotFound, outsider.Find("[data-testid=metrics-error]").GetAttribute("data-code")), TimeSpan.FromSeconds(10));
    }

    [Theory]
    [InlineData(3.0, "3 s")]
    [InlineData(59.6, "1 min")]
    [InlineData(80.0, "1 min 20 s")]
    [InlineData(3900.0, "1 h 5 min")]
    [InlineData(null, "—")]
    public void A_duration_reads_one_way_only(double? seconds, string expected) => Assert.Equal(expected, MetricsPage.Duration(seconds));

    [Fact]
    public async Task A_fresh_demo_team_has_a_month_of_history_and_the_page_says_it_is_demo_data()
    {
        // The fixture starts the app as a new user would: demo data seeded, including a month of invented handoffs.
        using var chen = await app.HttpAsAsync("u-chen");
        var month = await chen.GetFromJsonAsync<JsonElement>("api/teams/team-maple/handoff-metrics?days=30");
        var days = month.GetProperty("days").EnumerateArray().ToList();
        Assert.True(month.GetProperty("requested").GetInt32() >= 30, $"Only {month.GetProperty("requested").GetInt32()} handoffs in the demo month.");
        Assert.True(days.Count(d => d.GetProperty("requested").GetInt32() > 0) >= 15, "The demo month has fewer than 15 days with handoffs.");
        Assert.True(month.GetProperty("timeToAccept").GetProperty("count").GetInt32() > 0);

        await using var ctx = new BunitContext();
        ctx.JSInterop.Mode = JSRuntimeMode.Loose;
        ctx.Services.AddMudServices(o => o.PopoverOptions.CheckForPopoverProvider = false);
        AddServices(ctx);
        ctx.AddAuthorization().SetAuthorized("u-chen").SetClaims(new Claim(HuddleClaims.UserId, "u-chen"));
        var page = ctx.Render<MetricsPage>(p => p.Add(x => x.TeamId, "team-maple"));
        page.WaitForAssertion(() => Assert.Contains("Demo data", page.Find("[data-testid=demo-history]").TextContent, StringComparison.Ordinal), TimeSpan.FromSeconds(10));
        page.WaitForAssertion(() => Assert.Equal("Warm handoff metrics · Maple Street Primary Care", page.Find("[data-testid=metrics-title]").TextContent.Trim()), TimeSpan.FromSeconds(10));
    }

    private void AddServices(BunitContext ctx)
    {
        ctx.Services.AddSingleton(app.App.Services.GetRequiredService<MetricsService>());
        ctx.Services.AddSingleton(app.App.Services.GetRequiredService<Huddle.Web.Handoffs.HandoffService>());
        ctx.Services.AddSingleton(app.App.Services.GetRequiredService<DemoHistory>());
    }
}
