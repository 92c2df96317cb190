using System.Net.Http.Json;
using System.Text.Json;
using Huddle.Testing;
using Huddle.Web.Http;
using Microsoft.Playwright;

namespace Huddle.Ui.Tests;

/// <summary>
/// The installable app and a pushed ping in Chromium: the manifest and service worker pass the
/// browser's own installability check; a ping the test push service decrypted is delivered to the
/// service worker through the DevTools protocol (as a push service would deliver it), the
/// notification shows with the PHI-free notice, and acting on it opens (or accepts) that handoff.
/// </summary>
public sealed class PushNotificationTests(BrowserFixture browser) : IAsyncLifetime
{
    private const float Timeout = 20_000;
    private TestPushService _push = default!;

    public async ValueTask InitializeAsync() => _push = await TestPushService.StartAsync();

    public async ValueTask DisposeAsync() => await _push.DisposeAsync();

    [Fact]
    public async Task Huddle_is_installable_and_its_service_worker_caches_the_shell_only()
    {
        var team = await browser.CreateTeamAsync();
        var page = await DevicesPageAsync(team.Bhc, BrowserFixture.Phone);
        // The browser's own check, in a profile of its own: every other context of the suite is
        // incognito-like, where Chromium installs nothing ("in-incognito"), whatever the site.
        var profile = Directory.CreateTempSubdirectory("huddle-profile-");
        using var playwright = await Playwright.CreateAsync();
        await using (var installable = await playwright.Chromium.LaunchPersistentContextAsync(profile.FullName, new()
        {
            ExecutablePath = BrowserFixture.ChromiumPath,
            Headless = true,
            BaseURL = browser.BaseAddress.ToString(),
            Args = BrowserFixture.ArgsWithFeaturesOff(),
        }))
        {
            var signIn = installable.Pages.FirstOrDefault() ?? await installable.NewPageAsync();
            await signIn.GotoAsync("signin");
            await Assertions.Expect(signIn.Locator("link[rel=manifest]")).ToHaveCountAsync(1);
            await signIn.EvaluateAsync("navigator.serviceWorker.ready");
            var cdp = await installable.NewCDPSessionAsync(signIn);
            var errors = await cdp.SendAsync("Page.getInstallabilityErrors");
            Assert.True(errors!.Value.GetProperty("installabilityErrors").GetArrayLength() == 0, errors.Value.GetRawText());
        }

        profile.Delete(recursive: true);
        var manifest = await page.EvaluateAsync<JsonElement>("fetch('/manifest.webmanifest').then(r => r.json())");
        Assert.Equal("standalone", manifest.GetProperty("display").GetString());
        Assert.Contains(manifest.GetProperty("icons").EnumerateArray(), i => i.GetProperty("sizes").GetString() == "512x512" && i.GetProperty("purpose").GetString() == "maskable");

        // The shell's cache holds styles, icons and the manifest: no page, no API answer.
        await page.GotoAsync("inbox");
        await Assertions.Expect(page.Locator("[data-testid=pings][data-ready=true]")).ToHaveCountAsync(1, new() { Timeout = Timeout });
        var cached = await page.EvaluateAsync<string[]>("caches.keys().then(names => Promise.all(names.map(n => caches.open(n).then(c => c.keys())))).then(all => all.flat().map(r => new URL(r.url).pathname))");
        Assert.NotEmpty(cached);
        Assert.All(cached, path => Assert.Matches("^/(app\\.css|favicon\\.svg|manifest\\.webmanifest|icons/.+\\.png)$", path));
    }

    [Theory]
    [MemberData(nameof(BrowserFixture.ScreenWidths), MemberType = typeof(BrowserFixture))]
    public async Task My_devices_lists_renames_and_removes_devices_at_each_width(int width)
    {
        var team = await browser.CreateTeamAsync();
        using (var bhc = await browser.HttpAsAsync(team.Bhc))
        {
            (await bhc.PutAsJsonAsync("api/push/devices/work-phone", _push.Subscribe().Body("Chrome on Android phone"), HuddleJson.Options)).EnsureSuccessStatusCode();
            (await bhc.PutAsJsonAsync("api/push/devices/tablet", _push.Subscribe().Body("Safari on iPad"), HuddleJson.Options)).EnsureSuccessStatusCode();
        }

        var page = await DevicesPageAsync(team.Bhc, BrowserFixture.Screen(width));
        var devices = page.Locator("[data-testid=device]");
        await Assertions.Expect(devices).ToHaveCountAsync(2, new() { Timeout = Timeout });
        await BrowserFixture.FullPageShotAsync(page, $"devices-{width}.png");
        await Axe.AssertNoViolationsAsync(page, $"My devices at {width} px");

        var phone = page.Locator("[data-device-id=work-phone]");
        await phone.GetByRole(AriaRole.Textbox, new() { Name = "Name of Chrome on Android phone", Exact = true }).FillAsync("Bea's work phone");
        await phone.GetByRole(AriaRole.Button, new() { Name = "Save name of Chrome on Android phone" }).ClickAsync();
        await Assertions.Expect(page.Locator("[data-device-id=work-phone]").GetByRole(AriaRole.Textbox, new() { Name = "Name of Bea's work phone", Exact = true })).ToHaveCountAsync(1, new() { Timeout = Timeout });
        await page.Locator("[data-device-id=tablet]").GetByRole(AriaRole.Button, new() { Name = "Remove Safari on iPad" }).ClickAsync();
        await Assertions.Expect(devices).ToHaveCountAsync(1, new() { Timeout = Timeout });
        using var check = await browser.HttpAsAsync(team.Bhc);
        var listed = (await check.GetFromJsonAsync<JsonElement>("api/push/devices")).GetProperty("devices");
        Assert.Equal("Bea's work phone", Assert.Single(listed.EnumerateArray()).GetProperty("name").GetString());
    }

    [Fact]
    public async Task A_pushed_ping_shows_a_notification_and_a_click_opens_the_handoff()
    {
        var (_, page, handoffId, payload) = await PushedPingAsync();
        var shown = await ShownAsync(page);
        Assert.Equal("Urgent warm handoff — Exam 1 — open Huddle", shown.GetProperty("body").GetString());
        Assert.Equal($"handoff-{handoffId}", shown.GetProperty("tag").GetString());
        Assert.DoesNotContain("Alma", payload, StringComparison.Ordinal);

        await page.GotoAsync("devices");
        await ClickAsync(page, handoffId, action: "");
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex($"/handoffs/{handoffId}$"), new() { Timeout = Timeout });
        await Assertions.Expect(page.Locator("[data-testid=handoff-status]")).ToContainTextAsync("Waiting", new() { Timeout = Timeout });
    }

    [Fact]
    public async Task The_notifications_accept_action_accepts_through_the_session_and_opens_the_handoff()
    {
        var (team, page, handoffId, _) = await PushedPingAsync();
        await ShownAsync(page);
        await ClickAsync(page, handoffId, action: "accept");
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex($"/handoffs/{handoffId}$"), new() { Timeout = Timeout });
        using var pcp = await browser.HttpAsAsync(team.Pcp);
        var handoff = await pcp.GetFromJsonAsync<JsonElement>($"api/handoffs/{handoffId}");
        Assert.Equal("accepted", handoff.GetProperty("status").GetString());
        Assert.Equal(team.Bhc, handoff.GetProperty("acceptedBy").GetString());
        await BrowserFixture.FullPageShotAsync(page, "push-accepted-390.png");
    }

    [Fact]
    public async Task Turning_on_notifications_where_the_browser_refuses_the_subscription_says_so_and_stores_nothing()
    {
        // Headless Chromium grants the notification permission, then refuses the push subscription
        // ("Registration failed - permission denied"), as a browser whose push service is blocked would.
        var team = await browser.CreateTeamAsync();
        var page = await DevicesPageAsync(team.Bhc, BrowserFixture.Phone);
        await Assertions.Expect(page.Locator("[data-testid=idle-logoff][data-ready=true]")).ToHaveCountAsync(1, new() { Timeout = Timeout });
        await page.Locator("[data-testid=push-enable]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=push-message]")).ToContainTextAsync("could not subscribe", new() { Timeout = 60_000 });
        await Assertions.Expect(page.Locator("[data-testid=push-status]")).ToHaveTextAsync("Notifications are off for this device.");
        await Assertions.Expect(page.Locator("[data-testid=no-devices]")).ToBeVisibleAsync();
        await Axe.AssertNoViolationsAsync(page, "My devices with a refused subscription at 390 px");
        await BrowserFixture.FullPageShotAsync(page, "devices-refused-390.png");
    }

    [Fact]
    public async Task Signing_out_removes_this_devices_subscription_and_no_other()
    {
        var team = await browser.CreateTeamAsync();
        using var bhc = await browser.HttpAsAsync(team.Bhc);
        (await bhc.PutAsJsonAsync("api/push/devices/this-phone", _push.Subscribe().Body("This phone"), HuddleJson.Options)).EnsureSuccessStatusCode();
        (await bhc.PutAsJsonAsync("api/push/devices/desk", _push.Subscribe().Body("Desk computer"), HuddleJson.Options)).EnsureSuccessStatusCode();
        var page = await DevicesPageAsync(team.Bhc, BrowserFixture.Phone);
        // As "Turn on notifications" leaves it: this browser knows its device id.
        await page.EvaluateAsync("localStorage.setItem('huddle.pushDevice', 'this-phone')");

        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/signin"), new() { Timeout = Timeout });
        var listed = (await bhc.GetFromJsonAsync<JsonElement>("api/push/devices")).GetProperty("devices");
        Assert.Equal("desk", Assert.Single(listed.EnumerateArray()).GetProperty("deviceId").GetString());
        Assert.Null(await page.EvaluateAsync<string?>("localStorage.getItem('huddle.pushDevice')"));
    }

    /// <summary>
    /// The BHC's phone page is open on "My devices" with notifications allowed; their device is the test
    /// push service's subscription; the PCP requests a handoff; what the push service decrypted is handed
    /// to the page's service worker as a push message.
    /// </summary>
    private async Task<(TestTeam Team, IPage Page, string HandoffId, string Payload)> PushedPingAsync()
    {
        var team = await browser.CreateTeamAsync();
        var page = await DevicesPageAsync(team.Bhc, BrowserFixture.Phone);
        var subscription = _push.Subscribe();
        using (var bhc = await browser.HttpAsAsync(team.Bhc))
        {
            (await bhc.PutAsJsonAsync("api/push/devices/phone", subscription.Body("Bea's phone"), HuddleJson.Options)).EnsureSuccessStatusCode();
        }

        var handoffId = await browser.RequestOneAsync(team);
        var message = await _push.NextAsync(subscription, TimeSpan.FromSeconds(20));

        var cdp = await page.Context.NewCDPSessionAsync(page);
        var registration = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        cdp.Event("ServiceWorker.workerRegistrationUpdated").OnEvent += (_, e) =>
        {
            foreach (var r in e!.Value.GetProperty("registrations").EnumerateArray())
            {
                if (r.GetProperty("scopeURL").GetString() == browser.BaseAddress.ToString() && !r.GetProperty("isDeleted").GetBoolean())
                {
                    registration.TrySetResult(r.GetProperty("registrationId").GetString()!);
                }
            }
        };
        await cdp.SendAsync("ServiceWorker.enable");
        var registrationId = await registration.Task.WaitAsync(TimeSpan.FromSeconds(20));
        await cdp.SendAsync("ServiceWorker.deliverPushMessage", new Dictionary<string, object>
        {
            ["origin"] = browser.BaseAddress.GetLeftPart(UriPartial.Authority),
            ["registrationId"] = registrationId,
            ["data"] = message.Payload,
        });
        return (team, page, handoffId, message.Payload);
    }

    private async Task<IPage> DevicesPageAsync(string userId, ViewportSize viewport)
    {
        var page = await browser.SignedInPageAsync(userId, viewport);
        await page.Context.GrantPermissionsAsync(["notifications"], new() { Origin = browser.BaseAddress.GetLeftPart(UriPartial.Authority) });
        await page.GotoAsync("devices");
        await Assertions.Expect(page.Locator("[data-testid=push-status]")).ToBeVisibleAsync(new() { Timeout = Timeout });
        Assert.Equal(browser.BaseAddress.ToString(), await page.EvaluateAsync<string>("navigator.serviceWorker.ready.then(r => r.scope)"));
        return page;
    }

    /// <summary>The one notification the service worker shows, once it shows it.</summary>
    /// <remarks>
    /// Read slowly, and first after a pause: Chromium's getNotifications() squares its notification
    /// store with what the platform reports as displayed and deletes the rest, so a read racing the
    /// display deletes the notification being shown (seen here: showNotification resolved, and the
    /// store was empty at once, with no close event — about one run in eight under CPU load when this
    /// polled every 25 ms from the push). A phone does not poll; the test must not make it lose one.
    /// </remarks>
    private static async Task<JsonElement> ShownAsync(IPage page)
    {
        JsonElement shown = default;
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        await Eventually.Until(async () =>
        {
            shown = await page.EvaluateAsync<JsonElement>("navigator.serviceWorker.ready.then(r => r.getNotifications()).then(n => n.map(x => ({ title: x.title, body: x.body, tag: x.tag })))");
            return shown.GetArrayLength() == 1;
        }, TimeSpan.FromSeconds(20), () => $"the notification of the pushed ping (shown: {shown.GetRawText()})", every: TimeSpan.FromSeconds(1));
        return shown[0];
    }

    private static Task ClickAsync(IPage page, string handoffId, string action) =>
        page.EvaluateAsync("([tag, action]) => navigator.serviceWorker.ready.then(r => r.active.postMessage({ type: 'notification-click', tag, action }))",
            new[] { $"handoff-{handoffId}", action });
}
