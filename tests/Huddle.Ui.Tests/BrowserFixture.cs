using System.Net.Http.Json;
using Huddle.Testing;
using Microsoft.Playwright;

namespace Huddle.Ui.Tests;

/// <summary>
/// The app plus Debian's headless Chromium driven by Playwright. Playwright's own browser download
/// cannot work here, so the system Chromium is required; without it the tests fail and say how to
/// install it.
/// </summary>
public sealed class BrowserFixture : HuddleAppFixture, IAsyncLifetime
{
    public const string ChromiumPath = "/usr/bin/chromium";

    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = default!;

    async ValueTask IAsyncLifetime.InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException($"Chromium is required for the UI tests and was not found at {ChromiumPath}: run 'apt-get install -y chromium'.");
        }

        await InitializeAsync();
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            // The machine has no network beyond loopback: keep Chromium from reaching out.
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
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

    /// <summary>A new browser context signed in as <paramref name="userId"/> through the dev sign-in page.</summary>
    public async Task<IPage> SignedInPageAsync(string userId)
    {
        var context = await Browser.NewContextAsync(new() { BaseURL = BaseAddress.ToString(), ViewportSize = new() { Width = 1500, Height = 950 } });
        var page = await context.NewPageAsync();
        await page.GotoAsync("signin");
        // Identities made through the dev API (each test's own team) sign in by id; the demo ones are listed.
        await page.FillAsync("[data-testid=other-identity]", userId);
        await page.ClickAsync("[data-testid=other-identity-submit]");
        await page.WaitForURLAsync(url => !url.Contains("/signin", StringComparison.Ordinal));
        return page;
    }

    /// <summary>Puts <paramref name="patientId"/> on the team's board in <paramref name="laneId"/> through the API, as the team's PCP.</summary>
    public async Task AddCardAsync(TestTeam team, string patientId, string laneId)
    {
        ArgumentNullException.ThrowIfNull(team);
        using var http = await HttpAsAsync(team.Pcp);
        using var response = await http.PostAsJsonAsync($"api/teams/{team.TeamId}/board/addCard", new { patientId, laneId });
        response.EnsureSuccessStatusCode();
    }

    /// <summary>Where screenshots go: TestResults/screenshots at the repository root.</summary>
    public static string ScreenshotPath(string name)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Huddle.sln")))
        {
            dir = dir.Parent;
        }

        var folder = Path.Combine(dir?.FullName ?? AppContext.BaseDirectory, "TestResults", "screenshots");
        Directory.CreateDirectory(folder);
        return Path.Combine(folder, name);
    }
}
