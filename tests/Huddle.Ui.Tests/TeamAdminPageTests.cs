using System.Net.Http.Json;
using Huddle.Contracts.Chat;
using Huddle.Web.Http;
using Microsoft.Playwright;

namespace Huddle.Ui.Tests;

/// <summary>
/// Team administration as an administrator uses it (docs/security.md, "Administration"): the team's
/// page at TV, desktop and phone widths (axe-clean, nothing cut off); on the desktop, taking the BHC off
/// the team while the BHC's browser shows the patient's thread empties the BHC's screen of it at once,
/// with no message sent meanwhile.
/// </summary>
public sealed class TeamAdminPageTests(BrowserFixture browser)
{
    private const float Timeout = 10_000;

    [Theory]
    [MemberData(nameof(BrowserFixture.ScreenWidths), MemberType = typeof(BrowserFixture))]
    public async Task An_administrator_takes_a_clinician_off_a_team_and_their_open_page_empties_at_once(int width)
    {
        var viewport = BrowserFixture.Screen(width);
        var team = await browser.CreateTeamAsync();
        var threadId = ThreadIds.ForPatient(team.Patients[0])!;
        using (var pcp = await browser.HttpAsAsync(team.Pcp))
        using (var sent = await pcp.PostAsJsonAsync($"api/threads/{threadId}/messages", new SendMessage("c-1", "Can you see her after her 2 pm visit?"), HuddleJson.Options))
        {
            sent.EnsureSuccessStatusCode();
        }

        var adminId = await browser.AdministratorAsync();
        var admin = await browser.SignedInPageAsync(adminId, viewport);
        await admin.GotoAsync("admin/teams");
        var link = admin.Locator($"[data-testid=team-row][data-team='{team.TeamId}'] a");
        await Assertions.Expect(link).ToHaveAttributeAsync("href", $"/admin/teams/{team.TeamId}", new() { Timeout = Timeout });

        // The team's page, used once it is interactive (a click while the prerendered page hands over to
        // its circuit can be lost: seen once in CI).
        await admin.GotoAsync($"admin/teams/{team.TeamId}");
        await Assertions.Expect(admin.Locator("[data-testid=idle-logoff][data-ready=true]")).ToHaveCountAsync(1, new() { Timeout = Timeout });
        var bhcRow = admin.Locator($"[data-testid=member-row][data-user='{team.Bhc}']");
        await Assertions.Expect(bhcRow).ToContainTextAsync("Bea Holt", new() { Timeout = Timeout });
        await Assertions.Expect(admin.Locator($"[data-testid=display-row][data-user='{team.Display}']")).ToBeVisibleAsync(new() { Timeout = Timeout });

        await BrowserFixture.FullPageShotAsync(admin, $"admin-team-{width}.png");
        await Axe.AssertNoViolationsAsync(admin, $"the team's administration page at {width} px");
        var outside = await admin.EvaluateAsync<string[]>("""
            () => [...document.querySelectorAll('[data-testid=admin-team] *')]
                .filter(e => !e.closest('.admin__scroll') && e.getBoundingClientRect().width > 0 && e.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5)
                .map(e => e.tagName + '.' + e.className)
            """);
        Assert.True(outside.Length == 0, $"Cut at {width} px: {string.Join(", ", outside.Take(5))}");
        // Nor does the page itself scroll sideways: the table's hidden "Actions" heading, placed absolutely,
        // escaped its scroll box and made the page 528 px wide on a phone.
        var pageWidth = await admin.EvaluateAsync<int>("() => document.documentElement.scrollWidth");
        Assert.True(pageWidth <= width, $"The team's page is {pageWidth} px wide at {width} px: it scrolls sideways.");
        if (width != BrowserFixture.Desktop.Width)
        {
            await admin.Context.CloseAsync();
            return;
        }

        // The BHC has the patient's thread open.
        var bhc = await browser.SignedInPageAsync(team.Bhc, viewport);
        await bhc.GotoAsync($"threads/{threadId}");
        await Assertions.Expect(bhc.GetByText("Can you see her after her 2 pm visit?")).ToBeVisibleAsync(new() { Timeout = Timeout });
        await Assertions.Expect(bhc.Locator("[data-testid=idle-logoff][data-ready=true]")).ToHaveCountAsync(1, new() { Timeout = Timeout });

        // Asked once more: "Keep" keeps them; the second "Remove" removes.
        await bhcRow.Locator("[data-testid=remove-member]").ClickAsync();
        await Assertions.Expect(bhcRow.Locator("[data-testid=remove-confirm]")).ToContainTextAsync("Remove Bea Holt?", new() { Timeout = Timeout });
        await bhcRow.Locator("[data-testid=remove-member-cancel]").ClickAsync();
        await Assertions.Expect(bhcRow.Locator("[data-testid=remove-confirm]")).ToHaveCountAsync(0, new() { Timeout = Timeout });
        await Assertions.Expect(bhc.GetByText("Can you see her after her 2 pm visit?")).ToBeVisibleAsync();
        await bhcRow.Locator("[data-testid=remove-member]").ClickAsync();
        await bhcRow.Locator("[data-testid=remove-member-confirm]").ClickAsync();
        await Assertions.Expect(admin.Locator("[data-testid=admin-done]")).ToContainTextAsync("Bea Holt is off the team", new() { Timeout = Timeout });
        await Assertions.Expect(bhcRow).ToHaveCountAsync(0);

        // Nothing was sent on the thread: the BHC's page loses it through the removal alone.
        await Assertions.Expect(bhc.GetByText("Can you see her after her 2 pm visit?")).ToHaveCountAsync(0, new() { Timeout = Timeout });
        await Assertions.Expect(bhc.Locator("[data-testid=chat-error][data-code=forbidden]")).ToBeVisibleAsync(new() { Timeout = Timeout });
        await BrowserFixture.FullPageShotAsync(bhc, "admin-removed-bhc-thread-1400.png");

        // Put back with a role, the BHC's next visit shows the thread again.
        await admin.GetByLabel("Or their user id").FillAsync(team.Bhc);
        await admin.Locator("[data-testid=add-member-role]").ClickAsync();
        await admin.Locator("[data-testid=add-member-role-option][data-role=Bhc]").ClickAsync();
        await admin.Locator("[data-testid=add-member-submit]").ClickAsync();
        await Assertions.Expect(admin.Locator($"[data-testid=member-row][data-user='{team.Bhc}']")).ToBeVisibleAsync(new() { Timeout = Timeout });
        // Said by name though added by id (it said "u-bhc-… added" before).
        await Assertions.Expect(admin.Locator("[data-testid=admin-done]")).ToHaveTextAsync("Bea Holt added to the team as Behavioral health consultant.");
        await bhc.ReloadAsync();
        await Assertions.Expect(bhc.GetByText("Can you see her after her 2 pm visit?")).ToBeVisibleAsync(new() { Timeout = Timeout });
        await bhc.Context.CloseAsync();
        await admin.Context.CloseAsync();
    }

    [Theory]
    [InlineData(1400)]
    [InlineData(390)]
    public async Task An_administrator_adds_a_clinician_of_another_team_by_name(int width)
    {
        var viewport = BrowserFixture.Screen(width);
        var team = await browser.CreateTeamAsync();
        var other = await browser.CreateTeamAsync();
        var adminId = await browser.AdministratorAsync();
        // A psychiatrist on the other team, with a name no other test uses.
        var surname = $"Quarrie{Guid.NewGuid():N}"[..14];
        var psychiatrist = $"u-{Guid.NewGuid():N}"[..14];
        using var api = await browser.HttpAsAsync(adminId);
        (await api.PutAsJsonAsync($"api/admin/users/{psychiatrist}", new { displayName = $"Dr. Ines {surname}", kind = "clinician" })).EnsureSuccessStatusCode();
        (await api.PutAsJsonAsync($"api/admin/teams/{other.TeamId}/members/{psychiatrist}", new { role = "consultingPsychiatrist" })).EnsureSuccessStatusCode();
        var otherName = (await api.GetFromJsonAsync<System.Text.Json.JsonElement>($"api/admin/teams/{other.TeamId}")).GetProperty("name").GetString();

        var admin = await browser.SignedInPageAsync(adminId, viewport);
        await admin.GotoAsync($"admin/teams/{team.TeamId}");
        await Assertions.Expect(admin.Locator("[data-testid=idle-logoff][data-ready=true]")).ToHaveCountAsync(1, new() { Timeout = Timeout });

        // Found by part of the name, listed with the team they are on; this team's own members are not offered.
        await admin.Locator("input[data-testid=add-member-find], [data-testid=add-member-find] input").FocusAsync();
        await admin.Keyboard.TypeAsync(surname[..10]);
        // The list is the typed name's alone before Enter picks its first (opened on focus, it listed everyone).
        await Assertions.Expect(admin.GetByRole(AriaRole.Option)).ToHaveTextAsync([$"Dr. Ines {surname} · {otherName}"], new() { Timeout = Timeout });
        await admin.Keyboard.PressAsync("Enter");
        await Assertions.Expect(admin.GetByLabel("Or their user id")).ToBeDisabledAsync(new() { Timeout = Timeout });
        await BrowserFixture.FullPageShotAsync(admin, $"admin-add-by-name-{width}.png");
        // No role is preselected: adding without one says so and adds nobody.
        await admin.Locator("[data-testid=add-member-submit]").ClickAsync();
        await Assertions.Expect(admin.Locator("[data-testid=admin-error]")).ToHaveTextAsync("Choose the clinician's role on this team.", new() { Timeout = Timeout });
        var row = admin.Locator($"[data-testid=member-row][data-user='{psychiatrist}']");
        await Assertions.Expect(row).ToHaveCountAsync(0);
        await admin.Locator("[data-testid=add-member-role]").ClickAsync();
        await admin.Locator("[data-testid=add-member-role-option][data-role=ConsultingPsychiatrist]").ClickAsync();
        await admin.Locator("[data-testid=add-member-submit]").ClickAsync();
        await Assertions.Expect(row).ToContainTextAsync($"Dr. Ines {surname}", new() { Timeout = Timeout });
        await Assertions.Expect(admin.Locator("[data-testid=admin-done]")).ToHaveTextAsync($"Dr. Ines {surname} added to the team as Consulting psychiatrist.");
        // The emptied role is ready for the next one, not flagged "Required" (it was, in red, after every addition).
        await Assertions.Expect(admin.Locator("[data-testid=add-member] .mud-input-error")).ToHaveCountAsync(0);
        // Said where it is seen: the outcome at the page's top takes focus and comes on screen (on a phone the form is far below).
        await Assertions.Expect(admin.Locator("[data-testid=admin-outcome]")).ToBeFocusedAsync(new() { Timeout = Timeout });
        await Assertions.Expect(admin.Locator("[data-testid=admin-done]")).ToBeInViewportAsync();
        // Still on the other team, now on this one too; the picker is empty for the next one.
        var teams = (await api.GetFromJsonAsync<System.Text.Json.JsonElement>($"api/admin/users/{psychiatrist}")).GetProperty("teamIds").EnumerateArray().Select(t => t.GetString()).ToList();
        Assert.Equal(new[] { team.TeamId, other.TeamId }.Order(StringComparer.Ordinal), teams.Order(StringComparer.Ordinal));
        await Assertions.Expect(admin.GetByLabel("Or their user id")).ToBeEnabledAsync();

        // A member already on the team is not offered again.
        await admin.Locator("input[data-testid=add-member-find], [data-testid=add-member-find] input").FocusAsync();
        await admin.Keyboard.TypeAsync(surname[..10]);
        await Assertions.Expect(admin.GetByRole(AriaRole.Option).Filter(new() { HasText = surname })).ToHaveCountAsync(0, new() { Timeout = Timeout });
        // A name nobody has says so, and where to go instead (it showed nothing at all).
        await Assertions.Expect(admin.Locator("[data-testid=add-member-none]")).ToHaveTextAsync("No clinician on any team matches. A user on no team is added by their user id.", new() { Timeout = Timeout });
        await Axe.AssertNoViolationsAsync(admin, $"the team's page after adding by name at {width} px");
        await admin.Context.CloseAsync();
    }
}
