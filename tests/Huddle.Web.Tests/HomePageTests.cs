using Bunit;
using Huddle.Testing;
using Huddle.Web.Auth;
using Huddle.Web.Home;
using HomePage = Huddle.Web.Home.Home;
using Microsoft.Extensions.DependencyInjection;

namespace Huddle.Web.Tests;

/// <summary>The home page's team cards say the clinician's role on each team.</summary>
public sealed class HomePageTests(HuddleAppFixture app)
{
    [Theory]
    [InlineData(false, "Primary care provider")]
    [InlineData(true, "Behavioral health consultant")]
    public async Task A_team_card_says_the_clinicians_role_on_that_team(bool bhc, string role)
    {
        var team = await app.CreateTeamAsync();
        var userId = bhc ? team.Bhc : team.Pcp;
        await using var ctx = MudBunit.CreateContext();
        ctx.Services.AddSingleton(app.App.Services.GetRequiredService<MeService>());
        ctx.AddAuthorization().SetAuthorized(userId).SetClaims(new System.Security.Claims.Claim(HuddleClaims.UserId, userId));

        var page = ctx.Render<HomePage>();

        page.WaitForAssertion(() => Assert.Equal(role, page.Find("[data-testid=team] [data-testid=team-role]").TextContent.Trim()), TimeSpan.FromSeconds(20));
    }
}
