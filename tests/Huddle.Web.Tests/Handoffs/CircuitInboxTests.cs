using System.Security.Claims;
using Bunit;
using Huddle.Contracts.Handoffs;
using Huddle.Testing;
using Huddle.Web.Auth;
using Huddle.Web.Handoffs;
using Huddle.Web.Live;
using Huddle.Web.Presence;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Rendering;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;

namespace Huddle.Web.Tests.Handoffs;

/// <summary>
/// One inbox watch per circuit, counted in the relay's registry: the layout's ping listener and the
/// inbox page read the same live inbox, and it is closed when the last of them goes.
/// </summary>
public sealed class CircuitInboxTests(HuddleAppFixture app) : IAsyncDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private readonly BunitContext _ctx = MudBunit.CreateContext();

    [Fact]
    public async Task The_layouts_ping_listener_and_the_inbox_page_watch_the_inbox_once()
    {
        var team = await app.CreateTeamAsync();
        var handoffs = app.App.Services.GetRequiredService<HandoffService>();
        var relay = app.App.Services.GetRequiredService<FeedRelay>();
        _ctx.Services.AddSingleton(handoffs);
        _ctx.Services.AddSingleton(app.App.Services.GetRequiredService<PresenceService>());
        _ctx.Services.AddScoped<HandoffCircuit>();
        _ctx.Services.AddScoped<CircuitInbox>();
        _ctx.AddAuthorization().SetAuthorized("Bea Holt").SetClaims(new Claim(HuddleClaims.UserId, team.Bhc));
        List<FeedWatcher> Watchers() => [.. relay.WatchersOf(InboxRoute.FeedOf(team.Bhc))];

        // As in the layout: the toasts and the listener, with the inbox page in the body.
        _ctx.SetRendererInfo(new Microsoft.AspNetCore.Components.RendererInfo("Server", isInteractive: true));
        var toasts = _ctx.Render<MudSnackbarProvider>();
        var layout = _ctx.Render<Layout>(p => p.Add(x => x.ShowInbox, true));
        var pings = layout.FindComponent<HandoffPings>();
        pings.WaitForAssertion(() => Assert.Equal("true", pings.Find("[data-testid=pings]").GetAttribute("data-ready")), Timeout);
        var page = layout.FindComponent<InboxPage>();
        page.WaitForAssertion(() => Assert.NotNull(page.Find("[data-testid=inbox-empty]")), Timeout);

        var only = Assert.Single(Watchers());
        Assert.Null(only.ConnectionId);

        // Both still read it live: a ping shows on the page and as the listener's toast.
        Assert.True((await handoffs.RequestAsync(team.Pcp, new RequestHandoff(team.TeamId, team.Patients[0], "Exam 1",
            new HandoffTarget(UserId: team.Bhc), HandoffPriority.Urgent, new Sbar("PHQ-9 of 18 today")))).Ok);
        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll("[data-testid=accept]")), Timeout);
        pings.WaitForAssertion(() => Assert.Equal("1", pings.Find("[data-testid=pings]").GetAttribute("data-shown")), Timeout);
        toasts.WaitForAssertion(() => Assert.Contains("Urgent warm handoff", toasts.Markup, StringComparison.Ordinal), Timeout);

        // Leaving the page keeps the listener's watch; the circuit's last reader gone, the watch is gone.
        layout.Render(p => p.Add(x => x.ShowInbox, false));
        Assert.False(layout.HasComponent<InboxPage>());
        Assert.Single(Watchers());
        await _ctx.DisposeComponentsAsync();
        Assert.Empty(Watchers());
    }

    public ValueTask DisposeAsync() => _ctx.DisposeAsync();

    /// <summary>The layout's part that matters here: the ping listener always, the inbox page while it is open.</summary>
    private sealed class Layout : ComponentBase
    {
        [Parameter]
        public bool ShowInbox { get; set; }

        protected override void BuildRenderTree(RenderTreeBuilder builder)
        {
            builder.OpenComponent<HandoffPings>(0);
            builder.CloseComponent();
            if (ShowInbox)
            {
                builder.OpenComponent<InboxPage>(1);
                builder.CloseComponent();
            }
        }
    }
}
