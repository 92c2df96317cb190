using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;

namespace Huddle.Ui.Tests;

/// <summary>
/// The audit trail as a privacy officer uses it (docs/security.md, "Audit"): a clinician opens a
/// patient's page in a browser, and the administrator's audit page, asked about that patient, names the
/// clinician in the access report and lists their calls, made through the page's circuit; on a TV, a
/// desktop and a phone, axe-clean, nothing cut off the screen.
/// </summary>
public sealed class AuditPageTests(BrowserFixture browser)
{
    private const float Timeout = 10_000;

    [Theory]
    [MemberData(nameof(BrowserFixture.ScreenWidths), MemberType = typeof(BrowserFixture))]
    public async Task A_patients_access_report_names_who_opened_their_page(int width)
    {
        var viewport = BrowserFixture.Screen(width);
        var team = await browser.CreateTeamAsync();
        var patient = team.Patients[0];
        var bhc = await browser.SignedInPageAsync(team.Bhc, viewport);
        await bhc.GotoAsync($"teams/{team.TeamId}/patients/{patient}");
        await Assertions.Expect(bhc.GetByText("Alma Reyes").First).ToBeVisibleAsync(new() { Timeout = Timeout });
        await Assertions.Expect(bhc.Locator("[data-testid=pings][data-ready=true]")).ToHaveCountAsync(1, new() { Timeout = Timeout });

        // Through the API first: the page's reads are on the patient's log, made by its interactive
        // circuit. The prerendered page (HTTP) reads nothing: had it read, its records would be stored
        // before its answer, so before the circuit that follows it began.
        var adminId = await browser.AdministratorAsync();
        using var api = await browser.HttpAsAsync(adminId);
        var clients = new HashSet<string?>();
        await Huddle.Testing.Eventually.Until(async () =>
        {
            var log = await api.GetFromJsonAsync<JsonElement>($"api/admin/audit?patientId={patient}");
            clients = log.GetProperty("records").EnumerateArray().Where(r => r.GetProperty("userId").GetString() == team.Bhc).Select(r => r.GetProperty("client").GetString()).ToHashSet();
            return clients.Contains("circuit");
        }, TimeSpan.FromSeconds(10), () => $"the page's reads by its circuit (found: {string.Join(", ", clients)})");
        Assert.Equal(["circuit"], clients);
        await bhc.Context.CloseAsync();

        var page = await browser.SignedInPageAsync(adminId, viewport);
        await page.GotoAsync($"admin/audit?patientId={patient}");
        var row = page.Locator($"[data-testid=access-row][data-user='{team.Bhc}']");
        await Assertions.Expect(row).ToBeVisibleAsync(new() { Timeout = Timeout });
        await Assertions.Expect(row).ToContainTextAsync("Bea Holt");
        await Assertions.Expect(page.Locator($"[data-testid=audit-record][data-user='{team.Bhc}']").First).ToBeAttachedAsync(new() { Timeout = Timeout });
        await Assertions.Expect(page.Locator("[data-testid=audit-csv]")).ToHaveAttributeAsync("href", $"/admin/audit.csv?patientId={patient}&hideAuditReads=true");
        // The officer's own reading of the trail is left out unless asked for.
        await Assertions.Expect(page.Locator("input[data-testid=filter-hide-audit-reads], [data-testid=filter-hide-audit-reads] input").First).ToBeCheckedAsync();
        await Assertions.Expect(page.Locator("[data-testid=audit-record]").Filter(new() { HasText = "AuditLog.Read" })).ToHaveCountAsync(0);

        await BrowserFixture.FullPageShotAsync(page, $"audit-{width}.png");
        await Axe.AssertNoViolationsAsync(page, $"the audit page at {width} px");

        // Nothing reaches past the screen's edge but the records table, which scrolls inside its own box.
        var outside = await page.EvaluateAsync<string[]>("""
            () => [...document.querySelectorAll('[data-testid=audit] *')]
                .filter(e => !e.closest('.audit__scroll') && e.getBoundingClientRect().width > 0 && e.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5)
                .map(e => e.tagName + '.' + e.className)
            """);
        Assert.True(outside.Length == 0, $"Cut at {width} px: {string.Join(", ", outside.Take(5))}");
        if (width == BrowserFixture.Desktop.Width)
        {
            // The link downloads with the administrator's browser session: the BHC's records are in it.
            var download = await page.RunAndWaitForDownloadAsync(() => page.Locator("[data-testid=audit-csv]").ClickAsync());
            Assert.Equal($"huddle-audit-{patient}.csv", download.SuggestedFilename);
            var csv = await File.ReadAllTextAsync(await download.PathAsync());
            Assert.StartsWith("at,user_id,action", csv, StringComparison.Ordinal);
            Assert.Contains($",{team.Bhc},", csv, StringComparison.Ordinal);
        }
        await page.Context.CloseAsync();
    }

    [Theory]
    [MemberData(nameof(BrowserFixture.ScreenWidths), MemberType = typeof(BrowserFixture))]
    public async Task A_record_says_in_words_what_was_done_and_the_table_fits_a_desktop(int width)
    {
        var viewport = BrowserFixture.Screen(width);
        var team = await browser.CreateTeamAsync();
        var adminId = await browser.AdministratorAsync();
        using (var api = await browser.HttpAsAsync(adminId))
        {
            (await api.PutAsJsonAsync($"api/admin/teams/{team.TeamId}/members/{team.Bhc}", new { role = "careManager" })).EnsureSuccessStatusCode();
            (await api.DeleteAsync($"api/admin/teams/{team.TeamId}/members/{team.Bhc}")).EnsureSuccessStatusCode();
        }

        // A clinician's change through the hub: a connection id in the Via column.
        await using (var pcp = await Huddle.Testing.HubClient.ConnectAsync(browser, team.Pcp))
        {
            await pcp.DoAsync(team.TeamId, "addCard", new { patientId = team.Patients[0], laneId = "lane-1" });
        }

        var page = await browser.SignedInPageAsync(adminId, viewport);
        await page.GotoAsync("admin/audit");
        await Assertions.Expect(page.Locator("[data-testid=audit][data-interactive=true]")).ToBeVisibleAsync(new() { Timeout = Timeout });
        await page.GetByLabel("User id").FillAsync(adminId);
        await page.Locator("[data-testid=audit-search]").ClickAsync();
        var actions = page.Locator("[data-testid=audit-action]");
        await Assertions.Expect(actions.Filter(new() { HasText = "Put Bea Holt on the team as care manager" })).ToHaveCountAsync(1, new() { Timeout = Timeout });
        await Assertions.Expect(actions.Filter(new() { HasText = "Took Bea Holt off the team" })).ToHaveCountAsync(1);
        // The code name and its detail stay beside the words, as the CSV has them.
        await Assertions.Expect(actions.Filter(new() { HasText = "Took Bea Holt" }).Locator("[data-testid=audit-action-code]"))
            .ToHaveTextAsync($"CareTeam.Administer removeMember/{team.Bhc}");

        await page.GetByLabel("User id").FillAsync(team.Pcp);
        await page.Locator("[data-testid=audit-search]").ClickAsync();
        var change = page.Locator("[data-testid=audit-record]").Filter(new() { HasText = "Changed a board: add card" });
        await Assertions.Expect(change).ToHaveCountAsync(1, new() { Timeout = Timeout });
        await Assertions.Expect(change.Locator("[data-testid=audit-via]")).ToContainTextAsync("hub");
        await BrowserFixture.FullPageShotAsync(page, $"audit-words-{width}.png");
        await Axe.AssertNoViolationsAsync(page, $"the audit page's records at {width} px");
        if (width != BrowserFixture.Phone.Width)
        {
            // On a desktop and a TV every column is on the screen: the table does not scroll sideways, with
            // this one change or with the whole day's records of every test so far (long ids, several connections).
            foreach (var user in new[] { team.Pcp, "" })
            {
                await page.GetByLabel("User id").FillAsync(user);
                await page.Locator("[data-testid=audit-search]").ClickAsync();
                await Assertions.Expect(page.Locator("[data-testid=audit-count]")).Not.ToHaveTextAsync(user.Length == 0 ? "1 record" : "No records match", new() { Timeout = Timeout });
                var overflow = await page.Locator("[data-testid=audit-records]").EvaluateAsync<double>("t => { const box = t.closest('.audit__scroll'); return box.scrollWidth - box.clientWidth; }");
                Assert.True(overflow <= 1, $"The records table ({await page.Locator("[data-testid=audit-record]").CountAsync()} lines) is {overflow} px wider than its box at {width} px.");
            }

            await BrowserFixture.FullPageShotAsync(page, $"audit-day-{width}.png");
        }

        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_clinician_is_not_shown_the_audit_page()
    {
        var team = await browser.CreateTeamAsync();
        var page = await browser.SignedInPageAsync(team.Pcp);
        await page.GotoAsync("admin/audit");
        await Assertions.Expect(page.GetByText("Audit trail", new() { Exact = true })).ToHaveCountAsync(0, new() { Timeout = Timeout });
        Assert.Equal(0, await page.Locator("[data-testid=audit]").CountAsync());
        await page.Context.CloseAsync();
    }
}
