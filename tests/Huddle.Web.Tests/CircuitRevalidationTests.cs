using System.Security.Claims;
using Huddle.Contracts.Users;
using Huddle.Testing;
using Huddle.Web.Auth;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.Extensions.DependencyInjection;

namespace Huddle.Web.Tests;

/// <summary>What a live page's periodic check of its person accepts and refuses (<see cref="CircuitRevalidation"/>).</summary>
public sealed class CircuitRevalidationTests(HuddleAppFixture app)
{
    [Fact]
    public async Task A_page_keeps_its_person_while_they_are_who_they_signed_in_as_and_no_longer()
    {
        var grains = app.App.Services.GetRequiredService<IGrainFactory>();
        using (var scope = app.App.Services.CreateScope())
        {
            Assert.IsType<CircuitRevalidation>(scope.ServiceProvider.GetRequiredService<AuthenticationStateProvider>());
        }

        var team = await app.CreateTeamAsync();
        var admin = await app.AdministratorAsync();
        Assert.True(await CircuitRevalidation.StillValidAsync(Principal(team.Pcp, UserKind.Clinician), grains));
        Assert.True(await CircuitRevalidation.StillValidAsync(Principal(admin, UserKind.Administrator), grains));
        Assert.True(await CircuitRevalidation.StillValidAsync(new ClaimsPrincipal(new ClaimsIdentity()), grains));

        // Signed in as something they are not (any more), or as nobody Huddle knows.
        Assert.False(await CircuitRevalidation.StillValidAsync(Principal(team.Pcp, UserKind.Administrator), grains));
        Assert.False(await CircuitRevalidation.StillValidAsync(Principal($"u-gone-{Guid.NewGuid():N}"[..20], UserKind.Clinician), grains));

        // The provider signed the session out (back-channel logout).
        var subject = $"sub-{Guid.NewGuid():N}";
        var fromProvider = Principal(team.Bhc, UserKind.Clinician, new Claim(HuddleClaims.Subject, subject), new Claim(HuddleClaims.SessionId, "sid-1"));
        Assert.True(await CircuitRevalidation.StillValidAsync(fromProvider, grains));
        await grains.GetGrain<ISessionEndGrain>(subject).EndAsync("sid-1", DateTimeOffset.UtcNow);
        Assert.False(await CircuitRevalidation.StillValidAsync(fromProvider, grains));

        // The browser session was signed out in another tab or window; the person's other session stays.
        var session = Principal(team.Pcp, UserKind.Clinician, new Claim(HuddleClaims.BrowserSession, "bs-1"));
        var other = Principal(team.Pcp, UserKind.Clinician, new Claim(HuddleClaims.BrowserSession, "bs-2"));
        Assert.True(await CircuitRevalidation.StillValidAsync(session, grains));
        await grains.GetGrain<IBrowserSignOutGrain>(team.Pcp).EndAsync("bs-1");
        Assert.False(await CircuitRevalidation.StillValidAsync(session, grains));
        Assert.True(await CircuitRevalidation.StillValidAsync(other, grains));
    }

    private static ClaimsPrincipal Principal(string userId, UserKind kind, params Claim[] more) =>
        HuddleClaims.Create(userId, "Someone", kind.ToString(), "test", more);
}
