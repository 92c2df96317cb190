using System.Security.Claims;
using AngleSharp.Dom;
using Bunit;
using Huddle.Contracts.Handoffs;
using Huddle.Testing;
using Huddle.Web.Auth;
using Huddle.Web.Handoffs;
using Huddle.Web.Presence;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;

namespace Huddle.Web.Tests.Handoffs;

/// <summary>
/// A ping as a screen reader meets it, on the real grains and relay: the notice is in exactly one
/// live region (the toast, role="alert"), so it is announced once, never twice.
/// </summary>
public sealed class HandoffPingsTests(HuddleAppFixture app) : IAsyncDisposable
{
    // The toast: priority, room, who asked (and when, after "at"); no patient, and no "open Huddle" (Huddle is open).
    private const string Notice = "Urgent warm handoff · Exam 1 · from Dr. Pat Carter at ";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private readonly BunitContext _ctx = MudBunit.CreateContext();

    [Fact]
    public async Task A_ping_is_in_exactly_one_live_region_the_toast()
    {
        var (team, handoffs, toasts, pings) = await RenderAsBhcAsync();

        Assert.True((await handoffs.RequestAsync(team.Pcp, new RequestHandoff(team.TeamId, team.Patients[0], "Exam 1",
            new HandoffTarget(UserId: team.Bhc), HandoffPriority.Urgent, new Sbar("PHQ-9 of 18 today")))).Ok);

        // The listener has handled the ping (toast added, its own markup re-rendered) ...
        pings.WaitForAssertion(() => Assert.Equal("1", pings.Find("[data-testid=pings]").GetAttribute("data-shown")), Timeout);
        toasts.WaitForAssertion(() => Assert.Contains(Notice, toasts.Markup, StringComparison.Ordinal), Timeout);

        // ... and of everything both render, one live region carries the notice: the toast.
        var announcing = LiveRegions(toasts).Concat(LiveRegions(pings)).Where(e => e.TextContent.Contains(Notice, StringComparison.Ordinal)).ToList();
        var only = Assert.Single(announcing);
        Assert.Contains("mud-snackbar", only.ClassName, StringComparison.Ordinal);
        Assert.Equal("alert", only.GetAttribute("role"));
        Assert.Empty(LiveRegions(pings));
        Assert.DoesNotContain(Notice, pings.Markup, StringComparison.Ordinal);
        Assert.DoesNotContain("open Huddle", toasts.Markup, StringComparison.Ordinal);
        Assert.DoesNotContain("Alma", toasts.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_hint_and_the_numbered_change_of_one_ping_make_one_toast_and_one_alert()
    {
        var (team, handoffs, _, pings) = await RenderAsBhcAsync();
        var seqBefore = long.Parse(pings.Find("[data-testid=pings]").GetAttribute("data-seq")!, System.Globalization.CultureInfo.InvariantCulture);

        Assert.True((await handoffs.RequestAsync(team.Pcp, new RequestHandoff(team.TeamId, team.Patients[0], "Exam 1",
            new HandoffTarget(UserId: team.Bhc), HandoffPriority.Urgent, new Sbar("PHQ-9 of 18 today")))).Ok);

        // The request returns once the inbox has its numbered change too: wait until the circuit holds it,
        // then the ping has reached it twice (hint, then numbered) and was shown once.
        pings.WaitForAssertion(() => Assert.True(long.Parse(pings.Find("[data-testid=pings]").GetAttribute("data-seq")!,
            System.Globalization.CultureInfo.InvariantCulture) > seqBefore), Timeout);
        // A ping is shown on a turn of the renderer posted while the change merged, which under load can come
        // later than the next turn: wait for it, then one more turn, and it is still shown once, not twice.
        pings.WaitForAssertion(() => Assert.Equal("1", pings.Find("[data-testid=pings]").GetAttribute("data-shown")), Timeout);
        await pings.InvokeAsync(() => { });
        Assert.Equal("1", pings.Find("[data-testid=pings]").GetAttribute("data-shown"));
    }

    /// <summary>
    /// A new team's BHC signed in, with the layout's toasts' provider and ping listener side by side on
    /// the real grains and relay, once the listener is ready.
    /// </summary>
    private async Task<(TestTeam Team, HandoffService Handoffs, IRenderedComponent<MudSnackbarProvider> Toasts, IRenderedComponent<HandoffPings> Pings)> RenderAsBhcAsync()
    {
        var team = await app.CreateTeamAsync();
        var handoffs = app.App.Services.GetRequiredService<HandoffService>();
        _ctx.Services.AddSingleton(handoffs);
        _ctx.Services.AddSingleton(app.App.Services.GetRequiredService<PresenceService>());
        _ctx.Services.AddScoped<HandoffCircuit>();
        _ctx.Services.AddScoped<CircuitInbox>();
        _ctx.AddAuthorization().SetAuthorized("Bea Holt").SetClaims(new Claim(HuddleClaims.UserId, team.Bhc));
        var toasts = _ctx.Render<MudSnackbarProvider>();
        var pings = _ctx.Render<HandoffPings>();
        pings.WaitForAssertion(() => Assert.Equal("true", pings.Find("[data-testid=pings]").GetAttribute("data-ready")), Timeout);
        return (team, handoffs, toasts, pings);
    }

    /// <summary>Elements a screen reader announces changes of: live regions and the roles that are live by default.</summary>
    private static IEnumerable<IElement> LiveRegions<T>(IRenderedComponent<T>? cut) where T : Microsoft.AspNetCore.Components.IComponent =>
        cut!.FindAll("[aria-live], [role=alert], [role=status], [role=log], [role=marquee], [role=timer], output")
            .Where(e => e.GetAttribute("aria-live") != "off");

    public ValueTask DisposeAsync() => _ctx.DisposeAsync();
}
