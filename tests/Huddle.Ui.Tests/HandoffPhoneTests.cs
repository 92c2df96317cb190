using Microsoft.Playwright;

namespace Huddle.Ui.Tests;

/// <summary>
/// A warm handoff on phones, as two clinicians would live it: the PCP requests an urgent handoff to
/// the BHC role from the patient's page; the BHC's inbox pings (a toast with no patient data); the BHC
/// accepts with an ETA; the PCP's page shows it accepted, live. Screenshots at 390 and 1400 px.
/// </summary>
public sealed class HandoffPhoneTests(BrowserFixture browser)
{
    private const float Timeout = 15_000;

    private static async Task<IPage> PhoneAsync(BrowserFixture browser, string userId, string path)
    {
        var page = await browser.SignedInPageAsync(userId);
        await page.SetViewportSizeAsync(390, 844);
        await page.GotoAsync(path);
        // Interactive and listening: the circuit counts for presence and the inbox feed is open.
        await Assertions.Expect(page.Locator("[data-testid=pings][data-ready=true]")).ToHaveCountAsync(1, new() { Timeout = Timeout });
        return page;
    }

    [Fact]
    public async Task The_bhc_is_pinged_on_a_phone_accepts_and_the_pcp_sees_it_accepted_live()
    {
        var team = await browser.CreateTeamAsync();
        var bhc = await PhoneAsync(browser, team.Bhc, "inbox");
        var pcp = await PhoneAsync(browser, team.Pcp, $"teams/{team.TeamId}/patients/{team.Patients[0]}");

        // A clinician's app bar on a phone is one line inside the screen: icons, then "Sign out" unbroken.
        var signOut = bhc.Locator("header.mud-appbar").GetByRole(AriaRole.Button, new() { Name = "Sign out" });
        var signOutBox = await signOut.BoundingBoxAsync();
        var huddleBox = await bhc.Locator("header.mud-appbar a", new() { HasText = "Huddle" }).BoundingBoxAsync();
        Assert.True(signOutBox!.Height <= huddleBox!.Height + 8, $"\"Sign out\" wraps at 390 px: {signOutBox.Height} px tall beside the {huddleBox.Height} px title.");
        Assert.True(signOutBox.X + signOutBox.Width <= 390, $"\"Sign out\" ends at {signOutBox.X + signOutBox.Width} px, past the 390 px screen.");
        // Who is signed in, on the phone too: the name does not fit the bar, its initials do (the name stays for screen readers).
        var initials = bhc.Locator("[data-testid=signed-in-initials]");
        await Assertions.Expect(initials).ToBeVisibleAsync();
        await Assertions.Expect(initials).ToHaveTextAsync("BH");
        await Assertions.Expect(initials).ToHaveAttributeAsync("title", "Signed in as Bea Holt");
        await Assertions.Expect(bhc.Locator("[data-testid=signed-in-as]")).ToHaveTextAsync("Bea Holt");
        var initialsBox = await initials.BoundingBoxAsync();
        Assert.True(initialsBox!.X + initialsBox.Width <= signOutBox.X && Math.Abs(initialsBox.Y + initialsBox.Height / 2 - (signOutBox.Y + signOutBox.Height / 2)) < 4,
            $"The initials ({initialsBox.X}..{initialsBox.X + initialsBox.Width}, middle {initialsBox.Y + initialsBox.Height / 2}) are not on the bar's line before \"Sign out\" ({signOutBox.X}, middle {signOutBox.Y + signOutBox.Height / 2}).");

        await Assertions.Expect(pcp.Locator("[data-testid=patient-name]")).ToHaveTextAsync("Alma Reyes");
        await Assertions.Expect(pcp.Locator("[data-testid=room]")).ToHaveValueAsync("Exam 1");
        // No priority chosen for the requester: each is asked for (a preselected "Urgent" made every request urgent).
        await Assertions.Expect(pcp.GetByRole(AriaRole.Radio, new() { Checked = true })).ToHaveCountAsync(0);
        // The picker names the BHC with their presence now: online, since their phone has Huddle open.
        await Assertions.Expect(pcp.Locator($"[data-testid=team-presence] [data-user-id={team.Bhc}]")).ToHaveAttributeAsync("data-status", "Available", new() { Timeout = Timeout });
        await pcp.Locator("[data-testid=target]").ClickAsync();
        var entry = pcp.Locator($"[data-testid=target-member][data-user-id={team.Bhc}]");
        await Assertions.Expect(entry).ToContainTextAsync("Bea Holt · Behavioral health consultant — available", new() { Timeout = Timeout });
        // The list fades in: the shot is taken with its transition run to the end.
        await pcp.ScreenshotAsync(new() { Path = BrowserFixture.ScreenshotPath("handoff-target-picker-390.png"), Animations = ScreenshotAnimations.Disabled });
        await pcp.Keyboard.PressAsync("Escape");
        await Assertions.Expect(entry).ToHaveCountAsync(0, new() { Timeout = Timeout });
        await Assertions.Expect(pcp.Locator("[data-testid=target]")).ToContainTextAsync("Behavioral health consultant (first available)");
        // Shown whole on the phone: the choice's words take two lines inside the field instead of one cut with "…".
        var choice = await pcp.Locator("[data-testid=target]").EvaluateAsync<double[]>("""
            e => {
                const range = document.createRange(); range.selectNodeContents(e);
                const rects = [...range.getClientRects()].filter(r => r.width > 0);
                return [new Set(rects.map(r => Math.round(r.top))).size, Math.max(...rects.map(r => r.right)), e.closest('.mud-input-control').getBoundingClientRect().right];
            }
            """);
        Assert.True(choice[0] >= 2 && choice[1] <= choice[2],
            $"\"Send to\" shows its choice on {choice[0]} line(s) ending at {choice[1]} px, in a field ending at {choice[2]} px: cut at the edge.");
        // No priority is preselected: the request waits for one.
        await Assertions.Expect(pcp.Locator("[data-testid=request-missing]")).ToContainTextAsync("Choose a priority");
        // The four priorities two by two, all on the screen ("STAT" wrapped alone onto a second line before).
        var choices = await pcp.Locator("[data-testid=priority-choice]").EvaluateAllAsync<double[][]>(
            "rs => rs.map(r => { const b = r.closest('label').getBoundingClientRect(); return [Math.round(b.top), b.right]; })");
        Assert.Equal(4, choices.Length);
        Assert.True(choices.GroupBy(c => c[0]).All(line => line.Count() == 2) && choices.All(c => c[1] <= 390),
            $"The priorities lie at {string.Join(", ", choices.Select(c => $"{c[0]}px (right {c[1]:0})"))}: not two by two on the screen.");
        await pcp.GetByRole(AriaRole.Radio, new() { Name = "Urgent" }).CheckAsync();
        await pcp.Locator("[data-testid=sbar-situation]").FillAsync("PHQ-9 of 18 today, passive SI, no plan");
        await pcp.Locator("[data-testid=sbar-recommendation]").FillAsync("Same-visit BH assessment and safety plan");
        await BrowserFixture.FullPageShotAsync(pcp, "handoff-request-390.png");
        // Keyboard only: the form gives way to "Your warm handoff", and focus goes to its status (not lost to the page).
        await pcp.Locator("[data-testid=request-handoff]").FocusAsync();
        await pcp.Keyboard.PressAsync("Enter");
        await Assertions.Expect(pcp.Locator("[data-testid=handoff-status]")).ToContainTextAsync("Waiting", new() { Timeout = Timeout });
        await Assertions.Expect(pcp.Locator("[data-testid=handoff-status-line]")).ToBeFocusedAsync(new() { Timeout = Timeout });

        // The ping: a toast carrying the notice only, announced to screen readers once: the toast is an
        // alert, and no other live region on the page carries the notice.
        // Priority, room, who asked and when; no patient, no "open Huddle" (Huddle is open).
        const string notice = "Urgent warm handoff · Exam 1 · from Dr. Pat Carter at ";
        var toast = bhc.Locator(".mud-snackbar").Filter(new() { HasText = notice });
        await Assertions.Expect(toast).ToBeVisibleAsync(new() { Timeout = Timeout });
        await Assertions.Expect(bhc.Locator("[data-testid=pings][data-shown='1']")).ToHaveCountAsync(1, new() { Timeout = Timeout });
        var live = bhc.Locator("[aria-live]:not([aria-live=off]), [role=alert], [role=status], [role=log], output").Filter(new() { HasText = notice });
        await Assertions.Expect(live).ToHaveCountAsync(1);
        await Assertions.Expect(live).ToHaveAttributeAsync("role", "alert");
        await Assertions.Expect(live).ToHaveClassAsync(new System.Text.RegularExpressions.Regex("mud-snackbar"));
        Assert.DoesNotContain("Alma", await toast.InnerTextAsync(), StringComparison.Ordinal);
        Assert.DoesNotContain("PHQ", await toast.InnerTextAsync(), StringComparison.Ordinal);
        Assert.DoesNotContain("open Huddle", await toast.InnerTextAsync(), StringComparison.Ordinal);
        // On the phone the toast stacks at the bottom, clear of the heading and the status buttons.
        var toastBox = await toast.BoundingBoxAsync();
        var statusBox = await bhc.Locator("[data-testid=presence]").BoundingBoxAsync();
        Assert.True(toastBox!.Y >= statusBox!.Y + statusBox.Height, $"The toast (top {toastBox.Y}) covers the status buttons (bottom {statusBox.Y + statusBox.Height}).");
        var card = bhc.Locator("[data-testid=handoff][data-status=requested]");
        await Assertions.Expect(card).ToContainTextAsync("From Dr. Pat Carter");
        // The signed-in inbox says who and why, so several pings read apart without opening each.
        await Assertions.Expect(card.Locator("[data-testid=handoff-gist]")).ToHaveTextAsync("Alma Reyes — PHQ-9 of 18 today, passive SI, no plan", new() { Timeout = Timeout });
        await Assertions.Expect(toast).ToHaveCSSAsync("opacity", "0.95");
        await bhc.ScreenshotAsync(new() { Path = BrowserFixture.ScreenshotPath("handoff-ping-390.png"), Animations = ScreenshotAnimations.Disabled });

        // Keyboard only: focus the "5 min" accept button and press Enter.
        await card.Locator("[data-testid=accept][data-eta='5']").FocusAsync();
        await bhc.Keyboard.PressAsync("Enter");

        await Assertions.Expect(bhc.Locator("[data-testid=handoff][data-status=accepted] [data-testid=join]")).ToBeVisibleAsync(new() { Timeout = Timeout });
        // The pressed button went with the step: focus is on the new status, which a screen reader reads, not lost to the page.
        await Assertions.Expect(bhc.Locator("[data-testid=handoff][data-status=accepted] [data-testid=handoff-status-line]")).ToBeFocusedAsync(new() { Timeout = Timeout });
        await Assertions.Expect(toast).ToHaveCountAsync(0, new() { Timeout = Timeout });
        await Assertions.Expect(pcp.Locator("[data-testid=handoff-status]")).ToContainTextAsync("Accepted by Bea Holt, arriving in 5 min", new() { Timeout = Timeout });
        await BrowserFixture.FullPageShotAsync(pcp, "handoff-accepted-requester-390.png");

        // The details (patient, SBAR, history) load only when the handoff is opened.
        await bhc.Locator("[data-testid=handoff][data-status=accepted] [data-testid=open-handoff]").ClickAsync();
        await Assertions.Expect(bhc.Locator("[data-testid=handoff-patient]")).ToHaveTextAsync("Alma Reyes", new() { Timeout = Timeout });
        await Assertions.Expect(bhc.Locator("[data-testid=sbar]")).ToContainTextAsync("passive SI");
        await Assertions.Expect(bhc.Locator("[data-testid=history] li[data-action=accepted]")).ToContainTextAsync("You accepted");
        // The first ping in plain words: "Huddle pinged you", not "… (target)", the escalation step's name.
        await Assertions.Expect(bhc.Locator("[data-testid=history] li[data-action=pinged]")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"Huddle pinged you$"));
        await BrowserFixture.FullPageShotAsync(bhc, "handoff-details-390.png");

        await bhc.SetViewportSizeAsync(1400, 900);
        await pcp.SetViewportSizeAsync(1400, 900);
        await bhc.GotoAsync("inbox");
        await Assertions.Expect(bhc.Locator("[data-testid=handoff][data-status=accepted]")).ToBeVisibleAsync(new() { Timeout = Timeout });
        await BrowserFixture.FullPageShotAsync(bhc, "handoff-inbox-1400.png");
        await BrowserFixture.FullPageShotAsync(pcp, "handoff-accepted-requester-1400.png");
        // "Request another" goes with the handoff it followed: focus goes to the form it brings back.
        await pcp.Locator("[data-testid=new-request]").FocusAsync();
        await pcp.Keyboard.PressAsync("Enter");
        await Assertions.Expect(pcp.Locator("[data-testid=request-form-heading]")).ToBeFocusedAsync(new() { Timeout = Timeout });
        await bhc.Context.CloseAsync();
        await pcp.Context.CloseAsync();
    }
}
