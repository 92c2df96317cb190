using System.Security.Claims;
using Bunit;
using Huddle.Contracts.Common;
using Huddle.Contracts.Presence;
using Huddle.Testing;
using Huddle.Web.Auth;
using Huddle.Web.Handoffs;
using Huddle.Web.Live;
using Huddle.Web.Presence;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;

namespace Huddle.Web.Tests.Handoffs;

/// <summary>
/// The patient page's handoff target picker on the real grains and relay: a named clinician's status
/// follows the team's live presence feed, the same one roster the "Who's free" strip shows, watched once.
/// </summary>
public sealed class PatientPageTests(HuddleAppFixture app) : IAsyncDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private readonly BunitContext _ctx = MudBunit.CreateContext();

    /// <summary>The page's services, the running app's, for <paramref name="userId"/> signed in.</summary>
    private void SignIn(string userId, string name)
    {
        _ctx.Services.AddSingleton(app.App.Services.GetRequiredService<HandoffService>());
        _ctx.Services.AddSingleton(app.App.Services.GetRequiredService<TeamPresenceService>());
        _ctx.Services.AddScoped<CircuitInbox>();
        _ctx.Services.AddSingleton(app.App.Services.GetRequiredService<Huddle.Web.Chat.ChatService>());
        _ctx.Services.AddSingleton(app.App.Services.GetRequiredService<Huddle.Web.Registry.RegistryService>());
        _ctx.AddAuthorization().SetAuthorized(name).SetClaims(new Claim(HuddleClaims.UserId, userId));
    }

    /// <summary>The patient page, prerendered (<paramref name="interactive"/> false) or interactive.</summary>
    private IRenderedComponent<PatientPage> Render(string teamId, string patientId, bool interactive)
    {
        _ctx.SetRendererInfo(new Microsoft.AspNetCore.Components.RendererInfo(interactive ? "Server" : "Static", interactive));
        return _ctx.Render<PatientPage>(p => p.Add(x => x.TeamId, teamId).Add(x => x.PatientId, patientId));
    }

    [Fact]
    public async Task The_prerendered_page_reads_nothing_and_shows_its_loading_state()
    {
        var n = Guid.NewGuid().ToString("N")[..8];
        var (teamId, pcp, patient) = ($"team-pre-{n}", $"u-prep-{n}", $"p-pre-{n}");
        await app.PutTeamAsync(teamId, new DevTeamRequest("Prerender clinic", [new(pcp, "Dr. Ada Lin", Contracts.CareTeams.CareTeamRole.Pcp)], [], [new DevPatient(patient, "Nora Quist")]));
        SignIn(pcp, "Dr. Ada Lin");
        var page = Render(teamId, patient, interactive: false);

        // The interactive page replaces it a moment later and reads everything then: a prerender that
        // read too would double the view's reads and audit records, and flash the data, then the loading state.
        Assert.NotEmpty(page.FindAll(".mud-progress-linear"));

        // The interactive page, rendered after it, reads the patient; by then a prerender that read
        // (it started first, with the same calls) would show the patient too.
        var interactive = Render(teamId, patient, interactive: true);
        interactive.WaitForAssertion(() => Assert.NotEmpty(interactive.FindAll("[data-testid=request-handoff]")), Timeout);
        Assert.Contains("Nora Quist", interactive.Markup, StringComparison.Ordinal);
        Assert.DoesNotContain("Nora Quist", page.Markup, StringComparison.Ordinal);
        Assert.Empty(page.FindAll("[data-testid=request-handoff]"));
        Assert.NotEmpty(page.FindAll(".mud-progress-linear"));
    }

    [Fact]
    public async Task Without_a_room_the_form_says_what_it_needs_and_every_time_is_on_the_teams_clock_labelled()
    {
        // A clinic on Chicago time (the server runs on UTC) with a patient who has no room on file.
        var n = Guid.NewGuid().ToString("N")[..8];
        var (teamId, pcp, bhc, patient) = ($"team-tz-{n}", $"u-tzp-{n}", $"u-tzb-{n}", $"p-tz-{n}");
        await app.PutTeamAsync(teamId, new DevTeamRequest("Lakeside clinic",
            [new(pcp, "Dr. Ada Lin", Contracts.CareTeams.CareTeamRole.Pcp), new(bhc, "Ben Ortiz", Contracts.CareTeams.CareTeamRole.Bhc)],
            [], [new DevPatient(patient, "Nora Quist")], "America/Chicago"));

        var handoffs = app.App.Services.GetRequiredService<HandoffService>();
        var earlier = (await handoffs.RequestAsync(pcp, new Contracts.Handoffs.RequestHandoff(teamId, patient, "Exam 9",
            new Contracts.Handoffs.HandoffTarget(UserId: bhc), Contracts.Handoffs.HandoffPriority.Urgent, new Contracts.Handoffs.Sbar("Low mood")))).Value!;
        SignIn(pcp, "Dr. Ada Lin");
        var page = Render(teamId, patient, interactive: true);
        page.WaitForAssertion(() => Assert.NotNull(page.Find("[data-testid=patient-handoff]")), Timeout);

        // The button says why it cannot be pressed, and the room is marked required.
        // No priority is preselected: it is asked for like the room.
        Assert.Equal("Choose a priority and fill in the room and the situation to send the request.", page.Find("[data-testid=request-missing]").TextContent.Trim());
        // One required marker per required field: the label says just "Room", MudBlazor's required style
        // draws its one asterisk (explained at the top of the form), not "Room (required)*"; the field
        // itself is required for assistive technology.
        foreach (var (field, label) in new[] { ("room", "Room"), ("sbar-situation", "Situation") })
        {
            var input = page.Find($"[data-testid={field}]");
            Assert.Equal(label, page.Find($"label[for='{input.Id}']").TextContent.Trim());
            Assert.NotNull(input.Closest(".mud-input-control.mud-input-required"));
            Assert.True(input.HasAttribute("required") || input.GetAttribute("aria-required") == "true", $"The {label} field is not marked required for assistive technology: {input.OuterHtml}");
        }

        Assert.DoesNotContain("(required)", page.Markup, StringComparison.Ordinal);
        Assert.Equal("Fields marked * are required.", page.Find("[data-testid=required-legend]").TextContent.Trim());
        Assert.Contains("No room on file for this patient", page.Markup, StringComparison.Ordinal);
        await page.InvokeAsync(() => page.Find("textarea[data-testid=sbar-situation]").Input("Tearful, asks for help"));
        page.WaitForAssertion(() => Assert.Equal("Choose a priority and fill in the room to send the request.", page.Find("[data-testid=request-missing]").TextContent.Trim()), Timeout);

        // A room over the limit is kept as typed, never cut (a browser's maxlength cut "…consult room 12B" to "12"
        // without a word): the field and the button say to shorten it, and nothing can be sent.
        Assert.True(page.Find("input[data-testid=room]").GetAttribute("maxlength") is not { } most || int.Parse(most, System.Globalization.CultureInfo.InvariantCulture) > Contracts.Handoffs.HandoffLimits.Room * 2,
            "The room field cuts what is typed at the limit.");
        var tooLong = "Behavioral Health Annex, second floor, east wing, consult room 12B (by the lifts)";
        Assert.True(tooLong.Length > Contracts.Handoffs.HandoffLimits.Room);
        await page.InvokeAsync(() => page.Find("input[data-testid=room]").Input(tooLong));
        page.WaitForAssertion(() =>
        {
            Assert.Equal(tooLong, page.Find("input[data-testid=room]").GetAttribute("value"));
            Assert.Equal($"At most {Contracts.Handoffs.HandoffLimits.Room} characters: shorten the room to send the request.", page.Find("[data-testid=room-too-long]").TextContent.Trim());
            Assert.Equal($"Shorten the room to at most {Contracts.Handoffs.HandoffLimits.Room} characters to send the request.", page.Find("[data-testid=request-missing]").TextContent.Trim());
        }, Timeout);
        Assert.True(page.Find("button[data-testid=request-handoff]").HasAttribute("disabled"));
        await page.InvokeAsync(() => page.Find("input[data-testid=room]").Input("Behavioral Health Annex, consult room 12B"));
        page.WaitForAssertion(() => Assert.Equal("Choose a priority to send the request: how soon should the consultant come?", page.Find("[data-testid=request-missing]").TextContent.Trim()), Timeout);

        // The list of the patient's handoffs shows the clinic's time, and says whose clock it is.
        var chicago = TimeZoneInfo.FindSystemTimeZoneById("America/Chicago");
        var expected = TimeZoneInfo.ConvertTime(earlier.RequestedAt, chicago).ToString("ddd d MMM HH:mm", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Contains(expected, page.Find("[data-testid=patient-handoff]").TextContent, StringComparison.Ordinal);
        Assert.Equal("Times in Chicago time, the team's clock", page.Find("[data-testid=times-zone]").TextContent.Trim());
        Assert.Equal($"/teams/{teamId}/board", page.Find("[data-testid=back-to-board]").GetAttribute("href"));
    }

    [Fact]
    public async Task The_pickers_clinicians_follow_the_live_presence_feed_the_strip_shows()
    {
        var team = await app.CreateTeamAsync();
        SignIn(team.Pcp, "Dr. Pat Carter");
        // The picker's entries render in the popover provider (as in the layout) once it is open.
        var popovers = _ctx.Render<MudPopoverProvider>();
        var page = Render(team.TeamId, team.Patients[0], interactive: true);
        page.WaitForAssertion(() => Assert.NotNull(page.Find("[data-testid=team-presence]")), Timeout);
        await page.InvokeAsync(() => page.Find("div.mud-select .mud-input-control").MouseDown());

        string Strip() => page.Find($"[data-testid=member-presence][data-user-id={team.Bhc}]").GetAttribute("data-status")!;
        AngleSharp.Dom.IElement Entry() => popovers.Find($"[data-testid=target-member][data-user-id={team.Bhc}]");
        void Both(PresenceStatus status, string words) =>
            page.WaitForAssertion(() =>
            {
                Assert.Equal(status.ToString(), Strip());
                Assert.Equal(status.ToString(), Entry().GetAttribute("data-status"));
                Assert.Contains($"Bea Holt · Behavioral health consultant — {words}", Entry().TextContent, StringComparison.Ordinal);
            }, Timeout);
        Both(PresenceStatus.Offline, "offline");

        // The BHC comes online, then chooses do-not-disturb, after the page was opened.
        await using var bhc = await HubClient.ConnectAsync(app, team.Bhc);
        Both(PresenceStatus.Available, "available");
        Assert.True((await bhc.Hub.InvokeAsync<Result<PresenceView>>(nameof(HuddleHub.SetPresence), PresenceStatus.DoNotDisturb)).Ok);
        Both(PresenceStatus.DoNotDisturb, "do not disturb");

        // One watch of the team's presence feed for the page: the strip reads the page's roster, it opens none.
        var relay = app.App.Services.GetRequiredService<FeedRelay>();
        var watchers = relay.WatchersOf(TeamPresenceRoute.FeedOf(team.TeamId)).Where(w => w.UserId == team.Pcp).ToList();
        var only = Assert.Single(watchers);
        Assert.Null(only.ConnectionId);

        // Leaving the page closes it.
        await _ctx.DisposeComponentsAsync();
        Assert.DoesNotContain(relay.WatchersOf(TeamPresenceRoute.FeedOf(team.TeamId)), w => w.UserId == team.Pcp);
    }

    public ValueTask DisposeAsync() => _ctx.DisposeAsync();
}
