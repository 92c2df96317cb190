using System.Net.Http.Json;
using Huddle.Testing;
using Microsoft.Playwright;

namespace Huddle.Ui.Tests;

/// <summary>
/// The app plus Debian's headless Chromium driven by Playwright. Playwright's own browser download
/// cannot work here, so the system Chromium is required; without it the tests fail and say how to
/// install it.
/// </summary>
public class BrowserFixture : HuddleAppFixture, IAsyncLifetime
{
    public const string ChromiumPath = "/usr/bin/chromium";

    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = default!;

    /// <summary>Playwright itself, for a test that launches a browser of its own (another profile).</summary>
    public IPlaywright Playwright => _playwright ?? throw new InvalidOperationException("The browser fixture has not started.");

    /// <summary>Chromium's switches for the tests. The machine has no network beyond loopback: keep Chromium from reaching out.</summary>
    public static readonly IReadOnlyList<string> ChromiumArgs =
        ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

    /// <summary>
    /// Chromium features turned off on top of Playwright's own: the omnibox's popup, which this Chromium
    /// builds as a web page in a renderer of its own for every window, so for every browser context of the
    /// suite, none of which shows an address bar (one run of the suite, 2026-12-07: 121 such renderers,
    /// 130 s of CPU, an eighth of what the run's two cores had while the suite is CPU-bound).
    /// </summary>
    private static readonly string[] FeaturesOff = ["WebUIOmniboxPopup", "WebUIOmniboxAimPopup", "WebUIOmniboxFullPopup"];

    /// <summary>The features Playwright itself turns off, as it launched Chromium (read once from the first browser).</summary>
    private static string[]? _playwrightFeaturesOff;

    /// <summary>
    /// <see cref="ChromiumArgs"/> and one <c>--disable-features</c> holding Playwright's list,
    /// <see cref="FeaturesOff"/> and <paramref name="features"/>: Chromium takes the last switch of a name,
    /// so a second <c>--disable-features</c> would undo Playwright's (request interception among them).
    /// </summary>
    public static IReadOnlyList<string> ArgsWithFeaturesOff(params string[] features) =>
        [.. ChromiumArgs, "--disable-features=" + string.Join(',', (_playwrightFeaturesOff
            ?? throw new InvalidOperationException("The browser fixture has not read Playwright's switches yet.")).Concat(FeaturesOff).Concat(features).Distinct())];

    async ValueTask IAsyncLifetime.InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException($"Chromium is required for the UI tests and was not found at {ChromiumPath}: run 'apt-get install -y chromium'.");
        }

        await InitializeAsync();
        _playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        _playwrightFeaturesOff = await PlaywrightFeaturesOffAsync(_playwright);
        Browser = await _playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = [.. ArgsWithFeaturesOff()],
        });
    }

    /// <summary>Launches Chromium as Playwright does and reads back the features its command line turns off.</summary>
    private static async Task<string[]> PlaywrightFeaturesOffAsync(IPlaywright playwright)
    {
        // (Chromium gives its command line only with --enable-automation, which Playwright no longer passes.)
        await using var probe = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = ChromiumPath, Headless = true, Args = [.. ChromiumArgs, "--enable-automation"] });
        var cdp = await probe.NewBrowserCDPSessionAsync();
        var line = await cdp.SendAsync("Browser.getBrowserCommandLine")
            ?? throw new InvalidOperationException("Chromium did not give its command line.");
        var off = line.GetProperty("arguments").EnumerateArray().Select(a => a.GetString() ?? "")
            .LastOrDefault(a => a.StartsWith("--disable-features=", StringComparison.Ordinal))
            ?? throw new InvalidOperationException("Playwright launched Chromium with no --disable-features: the suite's own list would be its only one.");
        return off["--disable-features=".Length..].Split(',', StringSplitOptions.RemoveEmptyEntries);
    }

    async ValueTask IAsyncDisposable.DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.CloseAsync();
        }

        _playwright?.Dispose();
        await DisposeAsync();
    }

    /// <summary>The desktop viewport the board is designed for.</summary>
    public static readonly ViewportSize Desktop = new() { Width = 1400, Height = 900 };

    /// <summary>The team room's TV, where the morning huddle reads the board (1080p).</summary>
    public static readonly ViewportSize Tv = new() { Width = 1920, Height = 1080 };

    /// <summary>A phone, where handoff pings land (an iPhone 12-14 in portrait).</summary>
    public static readonly ViewportSize Phone = new() { Width = 390, Height = 844 };

    /// <summary>The widths of the three screens (TV, desktop, phone), for a theory run at each.</summary>
    public static TheoryData<int> ScreenWidths() => [Tv.Width, Desktop.Width, Phone.Width];

    /// <summary>The viewport of the screen <paramref name="width"/> px wide (one of <see cref="ScreenWidths"/>).</summary>
    public static ViewportSize Screen(int width) => new[] { Tv, Desktop, Phone }.Single(v => v.Width == width);

    /// <summary>A new browser page, not signed in, at <paramref name="viewport"/> (the desktop one by default).</summary>
    public async Task<IPage> AnonymousPageAsync(ViewportSize? viewport = null)
    {
        await FinishedTestContexts.CloseFinishedAsync();
        var context = await Browser.NewContextAsync(new() { BaseURL = BaseAddress.ToString(), ViewportSize = viewport ?? Desktop });
        FinishedTestContexts.Track(context);
        // A page load waits for Blazor's and MudBlazor's scripts from a server that shares two cores
        // with the browser and the other test runs: Playwright's 30 s default was seen to run out.
        context.SetDefaultNavigationTimeout(NavigationTimeout);
        return await context.NewPageAsync();
    }

    /// <summary>
    /// A new browser context signed in as <paramref name="userId"/> through the dev sign-in form.
    /// <para>
    /// With <paramref name="landing"/> (a room display that goes on to its wall), the page is signed in as a
    /// person does it: the sign-in page is opened, the id typed and the form sent, and the page follows
    /// the redirect to where that person lands.
    /// </para>
    /// <para>
    /// Otherwise the context sends the same form without rendering it: it GETs the sign-in page for its
    /// antiforgery field and cookie, POSTs <c>/dev/signin</c> through the context's own request client
    /// (whose cookies are the browser's), and the page stays blank: the test's first page is the first
    /// one rendered. Rendered, the sign-in page was the context's first page, loaded cold: 2.3-2.7 s of
    /// CPU (all processes, two cores) against 0.1-0.2 s for the posted form. The test's own page then
    /// loads cold instead, so a signed-in page costs about 1 s of CPU less (5.2-5.3 s against 3.6-4.8 s
    /// with the first page, 8 sign-ins a run, 2026-12-07). The form's rendering and typing stay covered
    /// by the tests that land.
    /// </para>
    /// </summary>
    public async Task<IPage> SignedInPageAsync(string userId, ViewportSize? viewport = null, bool landing = false)
    {
        var page = await AnonymousPageAsync(viewport);
        if (!landing)
        {
            await PostSignInAsync(page.Context, userId);
            return page;
        }

        await page.GotoAsync("signin");
        // Identities made through the dev API (each test's own team) sign in by id; the demo ones are listed.
        await page.FillAsync("[data-testid=other-identity]", userId);
        await page.ClickAsync("[data-testid=other-identity-submit]");
        // Signed in once the post's redirect has left /signin. Polling the address, not waiting for the
        // next page's load event: on a loaded machine WaitForURLAsync saw the navigation and then
        // missed that page's "load" (only "networkidle" reached it) and timed out on a signed-in page.
        await Assertions.Expect(page).Not.ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/signin"), new() { Timeout = NavigationTimeout });
        return page;
    }

    /// <summary>
    /// Signs <paramref name="context"/> in as <paramref name="userId"/> by sending the sign-in page's
    /// "another identity" form as the browser would; fails unless the server answers with the redirect
    /// a signed-in user gets (an unknown id is sent back to the sign-in page).
    /// </summary>
    private static async Task PostSignInAsync(IBrowserContext context, string userId)
    {
        var request = context.APIRequest;
        var signInPage = await request.GetAsync("signin", new() { Timeout = NavigationTimeout });
        if (!signInPage.Ok)
        {
            throw new InvalidOperationException($"The sign-in page answered {signInPage.Status}.");
        }

        var token = Antiforgery.TokenIn(await signInPage.TextAsync(), "dev-signin-other");
        var form = request.CreateFormData()
            .Set("__RequestVerificationToken", token)
            .Set("userId", userId)
            .Set("returnUrl", Huddle.Web.Operations.HuddleHealth.LivePath);
        var signedIn = await request.PostAsync("dev/signin", new() { Form = form, MaxRedirects = 0, Timeout = NavigationTimeout });
        var location = signedIn.Headers.GetValueOrDefault("location");
        if (signedIn.Status != 302 || location is null || location.Contains("/signin", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"Signing in as '{userId}' was answered {signedIn.Status} to '{location}', not a redirect away from the sign-in page.");
        }
    }

    /// <summary>How long a page may take to load on a busy machine.</summary>
    private const float NavigationTimeout = 60_000;

    /// <summary>How long one step of a keyboard walk through a menu may take (a server round trip).</summary>
    private const float MenuStepTimeout = 10_000;

    /// <summary>True when <paramref name="locator"/> or something inside it has the focus.</summary>
    public static Task<bool> HasFocusAsync(ILocator locator) =>
        locator.EvaluateAsync<bool>("e => e === document.activeElement || e.contains(document.activeElement)");

    /// <summary>
    /// Opens the focused card menu with Enter and walks it with ArrowDown to the item matching <paramref name="selector"/> (CSS).
    /// The menu moves focus from the server, a round trip after each key: wait for each step to land
    /// before deciding on the next press, or a fast keyboard overshoots the item.
    /// </summary>
    /// <remarks>
    /// MudBlazor 9's menu, opened by keyboard, focuses its first item only if its items have
    /// registered with it by the time it runs its after-render step; they render later, in the
    /// popover, and on a busy machine they often lose that race, leaving focus on the menu button
    /// with the menu open (this walk used to wait for the first item's focus and timed out). From the
    /// button, ArrowDown focuses the first item, as a keyboard user would press it; once an item has
    /// focus, ArrowDown moves to the next. So each press moves focus one step, from wherever the
    /// opening left it, and the menu wraps around, so a press that crossed a late focus still gets there.
    /// <para>
    /// A render that lands while the menu is open (the board's own change coming back late on a busy
    /// machine) can close it under the walk. With <paramref name="button"/> given, the walk then does
    /// what a keyboard user does: focus the menu button again and reopen it (three tries in all). The
    /// same retry covers an Enter that opened nothing within <see cref="MenuStepTimeout"/>.
    /// </para>
    /// </remarks>
    public static async Task OpenMenuAtAsync(IPage page, string selector, ILocator? button = null)
    {
        ArgumentNullException.ThrowIfNull(page);
        var target = page.Locator(selector);
        for (var attempt = 1; ; attempt++)
        {
            if (attempt > 1)
            {
                await button!.FocusAsync();
            }

            // A menu that opened after the last wait gave up is used as it is: Enter on its button would close it.
            if (attempt == 1 || !await target.IsVisibleAsync())
            {
                await page.Keyboard.PressAsync("Enter");
            }

            // Visible means the items are on the page, so they have registered with the menu.
            var canRetry = button is not null && attempt < 3;
            try
            {
                await Assertions.Expect(target).ToBeVisibleAsync(new() { Timeout = MenuStepTimeout });
            }
            catch (PlaywrightException) when (canRetry)
            {
                // The Enter opened nothing in 10 s (seen once in CI, on the second move of BoardReorderTests,
                // with the order and the announcement already on the page). The likeliest cause is a render
                // of the board's own move landing just before the key and taking the focus with it. A
                // keyboard user focuses the button and presses Enter again.
                continue;
            }

            if (await WalkToAsync(page, target, selector))
            {
                return;
            }

            Assert.True(canRetry, $"The card's menu closed before ArrowDown reached {selector} ({attempt} tries).");
        }
    }

    /// <summary>Presses ArrowDown until <paramref name="target"/> has the focus; false when the menu closed on the way.</summary>
    private static async Task<bool> WalkToAsync(IPage page, ILocator target, string selector)
    {
        for (var presses = 0; presses < 20; presses++)
        {
            // One read in the page, never a wait: a locator's focus check on an item that is gone waits 30 s
            // for it to come back, and a count before it does not help, for the menu can close between the
            // two reads (seen once in CI: the count found the item, the check then waited out its 30 s).
            var focused = await page.EvaluateAsync<bool?>(
                "s => { const e = document.querySelector(s); return e === null ? null : e === document.activeElement || e.contains(document.activeElement); }",
                selector);
            if (focused is null)
            {
                return false;
            }

            if (focused.Value)
            {
                return true;
            }

            await page.EvaluateAsync("() => { window.__huddleLastFocus = document.activeElement; }");
            await page.Keyboard.PressAsync("ArrowDown");
            try
            {
                await page.WaitForFunctionAsync("() => document.activeElement !== window.__huddleLastFocus", null, new() { Timeout = MenuStepTimeout });
            }
            catch (TimeoutException ex)
            {
                if (await target.CountAsync() == 0)
                {
                    return false;
                }

                var state = await page.EvaluateAsync<string>("() => 'focus on: ' + (document.activeElement?.outerHTML ?? 'none').slice(0, 200) + ' | menu items: ' + document.querySelectorAll('[role=menuitem]').length");
                throw new TimeoutException($"ArrowDown did not move focus in the card's menu: {state}", ex);
            }
        }

        Assert.Fail($"ArrowDown never reached {selector} in the card's menu.");
        return false;
    }

    /// <summary>The card of <paramref name="name"/> (a full name, or initials on the wall) in lane <paramref name="laneId"/>.</summary>
    public static ILocator CardIn(IPage page, string laneId, string name)
    {
        ArgumentNullException.ThrowIfNull(page);
        return page.Locator($"[data-lane-id={laneId}] [data-testid=card]").Filter(new() { HasText = name });
    }

    /// <summary>
    /// Waits until the board on <paramref name="page"/> is the live one: the prerendered copy is
    /// replaced (briefly by a progress bar) when the circuit connects, and shows no controls.
    /// </summary>
    public static Task BoardIsLiveAsync(IPage page) =>
        Assertions.Expect(page.Locator("[data-testid=board][data-interactive=true]")).ToBeVisibleAsync(new() { Timeout = 10_000 });

    /// <summary>Puts <paramref name="patientId"/> on the team's board in <paramref name="laneId"/> through the API, as the team's PCP.</summary>
    public Task AddCardAsync(TestTeam team, string patientId, string laneId) => RunAsync(team, "addCard", new { patientId, laneId });

    /// <summary>Puts <paramref name="patientId"/> on the board in <paramref name="laneId"/> with <paramref name="flags"/> (kind, detail) on its card.</summary>
    public async Task AddFlaggedCardAsync(TestTeam team, string patientId, string laneId, params (string Kind, string Detail)[] flags)
    {
        ArgumentNullException.ThrowIfNull(team);
        await AddCardAsync(team, patientId, laneId);
        using var http = await HttpAsAsync(team.Pcp);
        var board = await http.GetFromJsonAsync<System.Text.Json.JsonElement>($"api/teams/{team.TeamId}/board");
        var cards = board.TryGetProperty("cards", out var c) ? c : board.GetProperty("board").GetProperty("cards");
        var cardId = cards.EnumerateArray().First(card => card.GetProperty("patientId").GetString() == patientId).GetProperty("id").GetString();
        await RunAsync(team, "setCardFlags", new { cardId, flags = flags.Select(f => new { kind = f.Kind, detail = f.Detail }) });
    }

    /// <summary>
    /// A board showing everything it can: three flagged cards in three lanes (every flag colour), a
    /// running huddle, action items due today, overdue and later, and a note of each kind.
    /// </summary>
    public async Task FillBoardAsync(TestTeam team)
    {
        ArgumentNullException.ThrowIfNull(team);
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        await AddFlaggedCardAsync(team, team.Patients[0], "lane-1", ("phq9", "18 ↑"), ("needsPsychReview", ""));
        await AddFlaggedCardAsync(team, team.Patients[1], "lane-2", ("overdueFollowUp", "12 d"), ("recentEdVisit", "2d ago"));
        await AddFlaggedCardAsync(team, team.Patients[2], "lane-3", ("careGap", "A1c due"), ("gad7", "11 →"));
        await RunAsync(team, "startHuddle", new { });
        await RunAsync(team, "addActionItem", new { title = "Call shelter about bed tonight", ownerId = team.Bhc, due = today });
        await RunAsync(team, "addActionItem", new { title = "Restock PHQ-9 tablets", ownerId = team.Pcp, due = today.AddDays(-1) });
        await RunAsync(team, "addActionItem", new { title = "Update registry outreach list", due = today.AddDays(3) });
        await RunAsync(team, "addNote", new { kind = "lookBack", text = "One fall in lobby, no injury" });
        await RunAsync(team, "addNote", new { kind = "lookAhead", text = "Interpreter on site 1-4 pm" });
    }

    /// <summary>Runs the board operation <paramref name="op"/> through the API, as the team's PCP.</summary>
    public async Task RunAsync(TestTeam team, string op, object args)
    {
        ArgumentNullException.ThrowIfNull(team);
        using var http = await HttpAsAsync(team.Pcp);
        using var response = await http.PostAsJsonAsync($"api/teams/{team.TeamId}/board/{op}", args);
        response.EnsureSuccessStatusCode();
    }

    /// <summary>Where screenshots go: TestResults/screenshots at the repository root.</summary>
    public static string ScreenshotPath(string name)
    {
        var folder = Path.Combine(RepositoryRoot, "TestResults", "screenshots");
        Directory.CreateDirectory(folder);
        return Path.Combine(folder, name);
    }

    /// <summary>
    /// A screenshot of the whole page (<paramref name="name"/> under <see cref="ScreenshotPath"/>), after
    /// which the page is let settle before the test goes on. To shoot the whole page Chromium stretches
    /// the viewport to the page's height for a moment; the page's scroll position is clamped back to the
    /// restored viewport only at the next layout. A click straight after could land in between: seen as
    /// the pointer pressed on a button at one scroll position and released 151 px further on, so the
    /// click went to the form around it and a warm-handoff request silently never happened. Setting the
    /// same viewport again did not cure it (7 full UI runs of 7 failed so under load): the page scrolled to
    /// bring the button into view as if the page were taller, and the next input clamped it back. A real
    /// change of size, one pixel taller and back, lays the page out again for the restored viewport
    /// (0 of 4 runs failed under the same load).
    /// </summary>
    public static async Task FullPageShotAsync(IPage page, string name)
    {
        ArgumentNullException.ThrowIfNull(page);
        await page.ScreenshotAsync(new() { Path = ScreenshotPath(name), FullPage = true, Animations = ScreenshotAnimations.Disabled });
        if (page.ViewportSize is { } viewport)
        {
            // A real change of size (the same size again is not one), then back: the page is laid out and
            // its scroll clamped for the restored viewport now, before the next input.
            await page.SetViewportSizeAsync(viewport.Width, viewport.Height + 1);
            await page.SetViewportSizeAsync(viewport.Width, viewport.Height);
        }

        await page.EvaluateAsync("() => new Promise(settled => requestAnimationFrame(() => requestAnimationFrame(settled)))");
    }

    /// <summary>The folder holding Huddle.sln, found upwards from the test binaries.</summary>
    public static string RepositoryRoot
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Huddle.sln")))
            {
                dir = dir.Parent;
            }

            return dir?.FullName ?? throw new InvalidOperationException($"No Huddle.sln above {AppContext.BaseDirectory}.");
        }
    }
}
