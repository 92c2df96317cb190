using System.Text.Json;
using Huddle.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Huddle.Ui.Tests;

/// <summary>
/// The EHR widget as a clinician meets it inside a chart (docs/integration.md): the fake EHR's chart
/// page on https://localhost frames Huddle on https://127.0.0.1 (another site), in Debian's Chromium,
/// with third-party cookies blocked and allowed. The widget shows the chart's patient, requests a warm
/// handoff that pings the consultant's own Huddle page live, and shows the consultant's chat reply
/// without a reload; relaunching the frame for another patient never shows the first patient; framing
/// from an origin not on the tenant's list is refused. Screenshots go to TestResults/screenshots.
/// </summary>
public sealed class WidgetTests(BrowserFixture browsers, HuddleSmartAppFixture app) : IClassFixture<HuddleSmartAppFixture>
{
    private const float Timeout = 20_000;

    private static int _charts;

    private async Task<(TestTeam Team, string Practitioner, string[] FhirPatients)> ChartAsync()
    {
        var team = await app.CreateTeamAsync();
        var n = Interlocked.Increment(ref _charts);
        var practitioner = $"ui-prac-{n}";
        app.Ehr.AddPractitioner(practitioner, "Dr. Pat Carter", team.Pcp);
        string[] patients = [$"ui-fp-{n}-a", $"ui-fp-{n}-b"];
        app.Ehr.AddPatient(patients[0], "Alma Reyes", new DateOnly(1961, 3, 14), team.Patients[0]);
        app.Ehr.AddPatient(patients[1], "Boris Ng", new DateOnly(1984, 11, 2), team.Patients[1]);
        return (team, practitioner, patients);
    }

    /// <summary>
    /// A browser of its own (a profile of its own, so the setting cannot leak into other tests) that
    /// trusts the test certificates, with Chromium's third-party cookies blocked, as Safari always and
    /// Chrome in many profiles do, or allowed.
    /// </summary>
    private async Task<IBrowserContext> ContextAsync(bool blockThirdPartyCookies, ViewportSize? viewport = null)
    {
        var profile = Directory.CreateTempSubdirectory("huddle-3pc-").FullName;
        Directory.CreateDirectory(Path.Combine(profile, "Default"));
        // Chromium's cookie setting as a profile holds it: 1 blocks third-party cookies, 0 allows them.
        await File.WriteAllTextAsync(Path.Combine(profile, "Default", "Preferences"),
            $$$"""{"profile":{"block_third_party_cookies":{{{(blockThirdPartyCookies ? "true" : "false")}}},"cookie_controls_mode":{{{(blockThirdPartyCookies ? 1 : 0)}}}}}""");
        IReadOnlyList<string> args = blockThirdPartyCookies
            ? [.. BrowserFixture.ArgsWithFeaturesOff(), "--test-third-party-cookie-phaseout"]
            : BrowserFixture.ArgsWithFeaturesOff("TrackingProtection3pcd", "ThirdPartyCookieDeprecationTrial", "TpcdMetadataGrants");
        var context = await browsers.Playwright.Chromium.LaunchPersistentContextAsync(profile, new()
        {
            ExecutablePath = BrowserFixture.ChromiumPath,
            Headless = true,
            IgnoreHTTPSErrors = true,
            ViewportSize = viewport ?? BrowserFixture.Desktop,
            Args = args,
        });
        context.SetDefaultNavigationTimeout(60_000);
        return context;
    }

    /// <summary>A page of Huddle itself signed in as <paramref name="userId"/> (the dev sign-in), first party.</summary>
    private async Task<IPage> HuddlePageAsync(string userId)
    {
        var context = await browsers.Browser.NewContextAsync(new() { IgnoreHTTPSErrors = true, BaseURL = app.BaseAddress.ToString(), ViewportSize = BrowserFixture.Desktop });
        FinishedTestContexts.Track(context);
        context.SetDefaultNavigationTimeout(60_000);
        var page = await context.NewPageAsync();
        await page.GotoAsync("signin");
        await page.FillAsync("[data-testid=other-identity]", userId);
        await page.ClickAsync("[data-testid=other-identity-submit]");
        await Assertions.Expect(page).Not.ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/signin"), new() { Timeout = 60_000 });
        return page;
    }

    private Uri Chart(string practitioner, string fhirPatient) => new(app.Ehr.BaseAddress, $"ehr?user={Uri.EscapeDataString(practitioner)}&patient={Uri.EscapeDataString(fhirPatient)}");

    private static IFrameLocator Widget(IPage page) => page.FrameLocator("#huddle-widget");

    /// <summary>
    /// Opens a chart of the fake EHR, waiting for its document only: the page's load event also waits for
    /// the widget's frame, through the whole launch (authorize, sign-in, token), which on a busy machine
    /// took more than Playwright's 60 s for navigations. Each test waits for what the frame shows instead.
    /// </summary>
    private static Task OpenEhrPageAsync(IPage page, Uri chart) =>
        page.GotoAsync(chart.ToString(), new() { WaitUntil = WaitUntilState.DOMContentLoaded });

    /// <summary>The chart of <paramref name="fhirPatient"/> with third-party cookies blocked, once its framed widget shows <paramref name="patientId"/>.</summary>
    private async Task<(IBrowserContext Context, IPage Page, IFrameLocator Widget)> OpenChartAsync(string practitioner, string fhirPatient, string patientId)
    {
        var context = await ContextAsync(blockThirdPartyCookies: true);
        var page = await context.NewPageAsync();
        await OpenEhrPageAsync(page, Chart(practitioner, fhirPatient));
        var widget = Widget(page);
        await Assertions.Expect(widget.Locator("[data-testid=widget]")).ToHaveAttributeAsync("data-patient-id", patientId, new() { Timeout = 60_000 });
        return (context, page, widget);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task In_the_ehrs_frame_the_widget_requests_a_handoff_that_pings_the_consultant_and_shows_their_reply_live(bool blockThirdPartyCookies)
    {
        var (team, practitioner, patients) = await ChartAsync();
        // The consultant has Huddle open on their own screen.
        var bhc = await HuddlePageAsync(team.Bhc);
        await bhc.GotoAsync("inbox");
        await Assertions.Expect(bhc.Locator("[data-testid=pings][data-ready=true]")).ToHaveCountAsync(1, new() { Timeout = Timeout });

        var context = await ContextAsync(blockThirdPartyCookies);
        var page = await context.NewPageAsync();
        await OpenEhrPageAsync(page, Chart(practitioner, patients[0]));
        var widget = Widget(page);
        await Assertions.Expect(widget.Locator("[data-testid=widget]")).ToHaveAttributeAsync("data-patient-id", team.Patients[0], new() { Timeout = 60_000 });
        await Assertions.Expect(widget.Locator("[data-testid=widget-patient-name]")).ToHaveTextAsync("Alma Reyes");
        // The frame really is third-party, and in the blocking profile really blocks its cookies.
        var frame = page.Frames.Single(f => f.Url.StartsWith(app.BaseAddress.ToString(), StringComparison.Ordinal));
        var kept = await frame.EvaluateAsync<bool>("() => { document.cookie = 'huddle-probe=1; SameSite=None; Secure; Path=/'; return document.cookie.includes('huddle-probe'); }");
        Assert.Equal(!blockThirdPartyCookies, kept);
        await page.ScreenshotAsync(new() { Path = BrowserFixture.ScreenshotPath($"widget-in-ehr-{(blockThirdPartyCookies ? "3pc-blocked" : "3pc-allowed")}.png") });

        // A warm handoff from inside the chart: the consultant's page is pinged live.
        await widget.GetByRole(AriaRole.Radio, new() { Name = "Urgent" }).CheckAsync();
        await widget.Locator("[data-testid=sbar-situation]").FillAsync("Tearful, asks for help with sleep");
        await Assertions.Expect(widget.Locator("[data-testid=request-handoff]")).ToBeEnabledAsync(new() { Timeout = Timeout });
        await widget.Locator("[data-testid=request-handoff]").ClickAsync();
        await Assertions.Expect(bhc.Locator("[data-testid=handoff]")).ToHaveCountAsync(1, new() { Timeout = Timeout });
        // The widget's list of this patient's open handoffs has it too, live.
        await Assertions.Expect(widget.Locator("[data-testid=open-handoffs] [data-testid=open-handoff]")).ToHaveCountAsync(1, new() { Timeout = Timeout });

        // The consultant answers in the patient's chat from their own Huddle: it appears in the chart's widget, no reload.
        await Assertions.Expect(widget.Locator("[data-testid=chat-empty]")).ToBeVisibleAsync(new() { Timeout = Timeout });
        await bhc.GotoAsync($"teams/{team.TeamId}/patients/{team.Patients[0]}");
        await Assertions.Expect(bhc.Locator("[data-testid=pings][data-ready=true]")).ToHaveCountAsync(1, new() { Timeout = Timeout });
        await Assertions.Expect(bhc.Locator("[data-testid=chat-empty]")).ToBeVisibleAsync(new() { Timeout = Timeout });
        var reply = $"On my way, 5 min ({Guid.NewGuid():N})"[..40];
        await bhc.Locator("[data-testid=chat-panel] textarea").FillAsync(reply);
        await bhc.Locator("button[data-testid=chat-send]").ClickAsync();
        await Assertions.Expect(bhc.Locator("[data-testid=chat-message]").Filter(new() { HasText = reply })).ToHaveCountAsync(1, new() { Timeout = Timeout });
        await Assertions.Expect(widget.Locator("[data-testid=chat-message]").Filter(new() { HasText = reply })).ToHaveCountAsync(1, new() { Timeout = Timeout });
        await page.ScreenshotAsync(new() { Path = BrowserFixture.ScreenshotPath($"widget-reply-{(blockThirdPartyCookies ? "3pc-blocked" : "3pc-allowed")}.png") });
        await context.CloseAsync();
        await bhc.Context.CloseAsync();
    }

    [Fact]
    public async Task The_widgets_flags_and_care_panel_follow_scores_entered_elsewhere_without_a_reload()
    {
        var (team, practitioner, patients) = await ChartAsync();
        var (context, page, widget) = await OpenChartAsync(practitioner, patients[0], team.Patients[0]);
        await Assertions.Expect(widget.Locator("[data-testid=care-phq9]")).ToContainTextAsync("not measured", new() { Timeout = Timeout });
        await Assertions.Expect(widget.Locator("[data-testid=widget-flag][data-kind=Phq9]")).ToHaveCountAsync(0);

        // The BHC scores the patient on their own screen (here: the same grain call their page makes).
        var patient = app.App.Services.GetRequiredService<IGrainFactory>().GetGrain<Contracts.Patients.IPatientGrain>(team.Patients[0]);
        var phq = await patient.CareAsync(team.Bhc, new Contracts.Registry.RecordMeasurement(Contracts.Registry.Instrument.Phq9, [3, 3, 2, 2, 2, 2, 1, 1, 0]));
        Assert.True(phq.Ok, phq.Error?.Message);
        await Assertions.Expect(widget.Locator("[data-testid=widget-flag][data-kind=Phq9]")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("16"), new() { Timeout = Timeout });
        await Assertions.Expect(widget.Locator("[data-testid=care-phq9]")).ToContainTextAsync("PHQ-9 16", new() { Timeout = Timeout });

        var gad = await patient.CareAsync(team.Bhc, new Contracts.Registry.RecordMeasurement(Contracts.Registry.Instrument.Gad7, [3, 3, 3, 3, 3, 3, 3]));
        Assert.True(gad.Ok, gad.Error?.Message);
        await Assertions.Expect(widget.Locator("[data-testid=widget-flag][data-kind=Gad7]")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("21"), new() { Timeout = Timeout });
        await Assertions.Expect(widget.Locator("[data-testid=care-gad7]")).ToContainTextAsync("GAD-7 21", new() { Timeout = Timeout });
        await page.ScreenshotAsync(new() { Path = BrowserFixture.ScreenshotPath("widget-flags-live.png") });
        await context.CloseAsync();
    }

    [Fact]
    public async Task Relaunching_the_frame_for_another_patient_never_shows_the_first_patient_not_even_for_a_moment()
    {
        var (team, practitioner, patients) = await ChartAsync();
        var (context, page, widget) = await OpenChartAsync(practitioner, patients[0], team.Patients[0]);

        // The EHR switches patient in the same frame (a new launch each time), back and forth.
        string[] names = ["Alma Reyes", "Boris Ng"];
        for (var round = 1; round <= 4; round++)
        {
            var now = round % 2;
            var before = 1 - now;
            var seen = new System.Collections.Concurrent.ConcurrentQueue<string>();
            // Everything the frame shows while it relaunches, sampled as fast as the browser answers.
            using var watching = new CancellationTokenSource();
            var watcher = Task.Run(async () =>
            {
                while (!watching.IsCancellationRequested)
                {
                    try
                    {
                        var current = page.Frames.FirstOrDefault(f => f.Url.StartsWith(app.BaseAddress.ToString(), StringComparison.Ordinal));
                        if (current is not null)
                        {
                            seen.Enqueue(await current.EvaluateAsync<string>("() => document.body ? document.body.innerText : ''"));
                        }
                    }
                    catch (PlaywrightException)
                    {
                        // The frame navigated under the sampling: sample the next one.
                    }
                }
            });
            await page.EvaluateAsync("src => { document.getElementById('huddle-widget').src = src; }", app.Ehr.LaunchUrl(patients[now]).ToString());
            await Assertions.Expect(widget.Locator("[data-testid=widget]")).ToHaveAttributeAsync("data-patient-id", team.Patients[now], new() { Timeout = 60_000 });
            await Assertions.Expect(widget.Locator("[data-testid=widget-patient-name]")).ToHaveTextAsync(names[now]);
            // The sampler has seen the new patient too before it stops (a condition, not a fixed sleep).
            await Eventually.Until(() => Task.FromResult(seen.Any(text => text.Contains(names[now], StringComparison.Ordinal))), TimeSpan.FromSeconds(20),
                () => $"the sampler to see {names[now]}");
            await watching.CancelAsync();
            await watcher;
            Assert.NotEmpty(seen);
            // The new launch's frame never showed the other patient; the old frame's last look may be before it left.
            var afterLeave = seen.SkipWhile(text => text.Contains(names[before], StringComparison.Ordinal)).ToList();
            Assert.DoesNotContain(afterLeave, text => text.Contains(names[before], StringComparison.Ordinal));
            Assert.Contains(afterLeave, text => text.Contains(names[now], StringComparison.Ordinal));
        }

        await context.CloseAsync();
    }

    [Fact]
    public async Task A_page_of_an_origin_not_on_the_tenants_list_cannot_frame_huddle()
    {
        var (_, practitioner, patients) = await ChartAsync();
        var context = await ContextAsync(blockThirdPartyCookies: false);
        var widget = new Uri(app.BaseAddress, $"w/{HuddleSmartAppFixture.TenantId}").ToString();
        // The tenant's own chart frames the widget's page; the same chart served under another origin
        // (the EHR's server as https://127.0.0.1, not in FrameOrigins) is refused by the browser.
        foreach (var (host, framed) in new[] { ("localhost", true), ("127.0.0.1", false) })
        {
            var page = await context.NewPageAsync();
            await page.GotoAsync(new UriBuilder(Chart(practitioner, patients[0])) { Host = host }.Uri.ToString());
            await page.EvaluateAsync("src => { document.getElementById('huddle-widget').src = src; }", widget);
            await Eventually.Until(() => Task.FromResult(page.Frames.Any(f => f != page.MainFrame && (f.Url.StartsWith(widget, StringComparison.Ordinal) || f.Url.StartsWith("chrome-error:", StringComparison.Ordinal)))),
                TimeSpan.FromSeconds(30), () => "the frame to load or be refused: " + string.Join(", ", page.Frames.Select(f => f.Url)));
            var child = page.Frames.Single(f => f != page.MainFrame);
            Assert.True(framed == child.Url.StartsWith(widget, StringComparison.Ordinal), $"framed from {host}: {child.Url}");
            await page.CloseAsync();
        }

        await context.CloseAsync();
    }

    [Fact]
    public async Task The_widget_works_in_one_column_from_320_px_and_passes_axe()
    {
        var (team, practitioner, patients) = await ChartAsync();
        var context = await ContextAsync(blockThirdPartyCookies: true, new ViewportSize { Width = 320, Height = 720 });
        var page = await context.NewPageAsync();
        // The widget opened on its own at 320 px: the chart's launch, then the widget's address in the top window.
        await OpenEhrPageAsync(page, Chart(practitioner, patients[0]));
        await Assertions.Expect(Widget(page).Locator("[data-testid=widget]")).ToHaveAttributeAsync("data-patient-id", team.Patients[0], new() { Timeout = 60_000 });
        var frame = page.Frames.Single(f => f.Url.StartsWith(app.BaseAddress.ToString(), StringComparison.Ordinal));
        var widgetPage = await context.NewPageAsync();
        // Same handle, its own window (the fragment carries it): one column at 320 px, nothing wider than the screen.
        await widgetPage.GotoAsync(frame.Url);
        await Assertions.Expect(widgetPage.Locator("[data-testid=widget]")).ToHaveAttributeAsync("data-patient-id", team.Patients[0], new() { Timeout = 60_000 });
        Assert.True(await widgetPage.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= 320"), "The widget is wider than 320 px.");
        await widgetPage.ScreenshotAsync(new() { Path = BrowserFixture.ScreenshotPath("widget-320.png"), FullPage = true });
        await Axe.AssertNoViolationsAsync(widgetPage, "the EHR widget at 320 px");
        await context.CloseAsync();
    }

    /// <summary>
    /// A chart of the EHR whose sign-in refuses frames, open in a browser that blocks third-party cookies:
    /// the frame offers "Open sign-in in a new window" (the button returned).
    /// </summary>
    private async Task<(TestTeam Team, IBrowserContext Context, IPage Page, ILocator Open)> NewWindowOfferAsync(string prefix)
    {
        var team = await app.CreateTeamAsync();
        var n = Interlocked.Increment(ref _charts);
        var ehr = app.UnframeableEhr;
        ehr.AddPractitioner($"{prefix}-prac-{n}", "Dr. Pat Carter", team.Pcp);
        ehr.AddPatient($"{prefix}-fp-{n}", "Alma Reyes", new DateOnly(1961, 3, 14), team.Patients[0]);
        var context = await ContextAsync(blockThirdPartyCookies: true);
        var page = await context.NewPageAsync();
        await OpenEhrPageAsync(page, new Uri(ehr.BaseAddress, $"ehr?user={prefix}-prac-{n}&patient={prefix}-fp-{n}"));
        var open = Widget(page).Locator("#smart-new-window");
        await Assertions.Expect(open).ToHaveTextAsync("Open sign-in in a new window", new() { Timeout = 60_000 });
        return (team, context, page, open);
    }

    [Fact]
    public async Task Where_the_ehrs_sign_in_refuses_frames_a_new_window_completes_the_launch_and_the_frame_opens_the_widget()
    {
        var (team, context, page, open) = await NewWindowOfferAsync("nw");
        var frame = Widget(page);
        // The window's launch (whose redirects end at the callback that hands the session over) waits until a
        // forged hand-over has been posted to the frame (below). It names the frame's token.
        var forged = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var launched = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        await context.RouteAsync("**/smart/launch?**", async route =>
        {
            if (route.Request.Url.Contains("&frame=", StringComparison.Ordinal))
            {
                launched.TrySetResult(route.Request.Url);
                await forged.Task.WaitAsync(TimeSpan.FromSeconds(60));
            }

            await route.ContinueAsync();
        });
        // (The popup's event comes only once its held launch goes on: waited for after.)
        var opened = page.WaitForPopupAsync(new() { Timeout = 60_000 });
        await open.ClickAsync();
        var token = System.Text.RegularExpressions.Regex.Match(await launched.Task.WaitAsync(TimeSpan.FromSeconds(60)), "[?&]frame=([0-9a-f]{64})(&|$)").Groups[1].Value;
        Assert.Equal(64, token.Length);

        // A hand-over from any window but the one the frame opened is not taken, even with the frame's token
        // (here posted by the frame's own window): the frame must still open the real session below.
        var huddleFrame = page.Frames.Single(f => f.Url.StartsWith(app.BaseAddress.ToString(), StringComparison.Ordinal));
        // (Resolved once the frame's own listener, registered first, has had the message.)
        await huddleFrame.EvaluateAsync("""
            token => new Promise(resolve => {
              window.addEventListener('message', e => { if (e.data && e.data.widget === '/w/nowhere#hw_forged') setTimeout(resolve, 0); });
              window.postMessage({ huddle: 'smart-signed-in', frame: token, widget: '/w/nowhere#hw_forged' }, location.origin);
            })
            """, token);
        forged.SetResult();
        var popup = await opened;
        // (Its close is listened for now: the window closes itself 1.5 s after the hand-over.)
        var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        popup.Close += (_, _) => closed.TrySetResult();

        // The window signs in first party, then hands the session to the frame, which opens the widget.
        await Assertions.Expect(frame.Locator("[data-testid=widget]")).ToHaveAttributeAsync("data-patient-id", team.Patients[0], new() { Timeout = 60_000 });
        await Assertions.Expect(frame.Locator("[data-testid=widget-patient-name]")).ToHaveTextAsync("Alma Reyes");
        // The window the frame opened has handed over and closes itself.
        if (popup.IsClosed)
        {
            closed.TrySetResult();
        }

        await closed.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await page.ScreenshotAsync(new() { Path = BrowserFixture.ScreenshotPath("widget-after-new-window-sign-in.png") });
        await context.CloseAsync();
    }

    [Fact]
    public async Task A_sign_in_window_opened_from_a_link_not_by_the_charts_frame_hands_the_session_to_nobody()
    {
        var (_, context, page, open) = await NewWindowOfferAsync("nl");

        // Someone made the sign-in window's address with a token of their own and sent it as a link: the
        // clinician opens it in a page of their own (no opener) and signs in with the EHR.
        var link = new Uri(app.BaseAddress, await open.GetAttributeAsync("data-launch") + "&frame=" + new string('a', 64));
        var window = await context.NewPageAsync();
        await window.GotoAsync(link.ToString());
        await Assertions.Expect(window.Locator("#smart-no-opener")).ToBeVisibleAsync(new() { Timeout = 60_000 });
        await Assertions.Expect(window.Locator("#smart-no-opener")).ToContainTextAsync("handed to nobody");
        await Assertions.Expect(window.Locator("#smart-signed-in")).ToBeHiddenAsync();
        // The session's address is not left in the page (nothing else could ask Huddle for it: there is no pickup).
        Assert.DoesNotContain("hw_", await window.ContentAsync(), StringComparison.Ordinal);
        await context.CloseAsync();
    }

    [Fact]
    public async Task When_the_ehrs_token_runs_out_the_open_widget_empties_and_says_so()
    {
        var (team, practitioner, patients) = await ChartAsync();
        var context = await ContextAsync(blockThirdPartyCookies: true);
        var page = await context.NewPageAsync();
        // An EHR token of twenty seconds: the widget session lasts no longer.
        app.Ehr.TamperTokenResponse = r => r["expires_in"] = 20;
        try
        {
            await OpenEhrPageAsync(page, Chart(practitioner, patients[0]));
            await Assertions.Expect(Widget(page).Locator("[data-testid=widget]")).ToHaveAttributeAsync("data-patient-id", team.Patients[0], new() { Timeout = 60_000 });
        }
        finally
        {
            app.Ehr.TamperTokenResponse = null;
        }

        await Assertions.Expect(Widget(page).Locator("[data-testid=widget-ended]")).ToBeVisibleAsync(new() { Timeout = 60_000 });
        await Assertions.Expect(Widget(page).Locator("[data-testid=widget]")).ToHaveCountAsync(0);
        Assert.DoesNotContain("Alma Reyes", await page.Frames.Single(f => f != page.MainFrame).InnerTextAsync("body"), StringComparison.Ordinal);
        await context.CloseAsync();
    }
}
