using System.Net.Http.Json;
using Huddle.Contracts.Chat;
using Huddle.Web.Http;
using Microsoft.Playwright;

namespace Huddle.Ui.Tests;

/// <summary>
/// Going from one patient to another inside the app (a link, or Back after a notification's Open) opens
/// the new patient's page: never the last one's name, chat or actions under the new address.
/// </summary>
public sealed class InAppNavigationTests(BrowserFixture browser)
{
    private const float Timeout = 15_000;

    [Fact]
    public async Task Going_from_one_patients_page_to_anothers_inside_the_app_shows_the_new_patient_and_their_chat()
    {
        var team = await browser.CreateTeamAsync();
        using (var pcp = await browser.HttpAsAsync(team.Pcp))
        {
            foreach (var (patient, text) in new[] { (team.Patients[0], "About Alma's refill"), (team.Patients[1], "About Boris's labs") })
            {
                using var sent = await pcp.PostAsJsonAsync($"api/threads/{ThreadIds.ForPatient(patient)}/messages", new SendMessage($"c-{patient}", text), HuddleJson.Options);
                sent.EnsureSuccessStatusCode();
            }
        }

        var page = await browser.SignedInPageAsync(team.Bhc);
        await page.GotoAsync($"teams/{team.TeamId}/patients/{team.Patients[0]}");
        await Assertions.Expect(page.Locator("[data-testid=patient-name]")).ToHaveTextAsync("Alma Reyes", new() { Timeout = Timeout });
        await Assertions.Expect(page.Locator("[data-testid=chat-messages]")).ToContainTextAsync("About Alma's refill", new() { Timeout = Timeout });
        await Assertions.Expect(page.Locator("[data-testid=idle-logoff][data-ready=true]")).ToHaveCountAsync(1, new() { Timeout = Timeout });

        // In-app navigation to the same kind of page for another patient, as a link or Back does it.
        await page.EvaluateAsync($"Blazor.navigateTo('/teams/{team.TeamId}/patients/{team.Patients[1]}')");
        await Assertions.Expect(page.Locator("[data-testid=patient-name]")).ToHaveTextAsync("Boris Ng", new() { Timeout = Timeout });
        var chat = page.Locator("[data-testid=chat-panel]");
        await Assertions.Expect(chat).ToHaveAttributeAsync("data-thread-id", ThreadIds.ForPatient(team.Patients[1])!);
        await Assertions.Expect(chat.Locator("[data-testid=chat-messages]")).ToContainTextAsync("About Boris's labs", new() { Timeout = Timeout });
        await Assertions.Expect(chat).Not.ToContainTextAsync("About Alma's refill");
        await Assertions.Expect(page.Locator("[data-testid=patient-page]")).ToHaveAttributeAsync("data-patient-id", team.Patients[1]);
    }
}
