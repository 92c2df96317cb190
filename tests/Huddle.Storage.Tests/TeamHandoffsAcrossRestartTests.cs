using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Threading.Channels;
using Huddle.Storage.Tests.Infrastructure;
using Huddle.Testing;
using Microsoft.AspNetCore.SignalR.Client;

namespace Huddle.Storage.Tests;

/// <summary>
/// The team's desk keeping a live copy of its open handoffs (<c>SubscribeTeamHandoffs</c>, docs/api.md "Warm
/// handoffs") across a SIGKILL of the web host on Azure Table storage (Azurite), while the handoff steps
/// docs/api.md describes are taken on either side of the kill: a role request routed by presence (the
/// consultant on do-not-disturb is not pinged, before and after the restart: a chosen status is stored), an
/// accept race on the restarted host (one wins, the other is told who has it), a decline and a cancel. The
/// desk resumes on the restarted host in the same epoch with nothing missed, every later step reaches it
/// live as the next numbered change, and at every step its copy is the list the server holds.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class TeamHandoffsAcrossRestartTests(AzuriteFixture azurite)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_desk_resumes_on_the_restarted_host_and_every_later_step_arrives_live()
    {
        var table = $"Desk{Guid.NewGuid():N}"[..20];
        var n = Guid.NewGuid().ToString("N")[..8];
        var (teamId, pcp, sam, lee, patient) = ($"team-dr-{n}", $"u-pcp-{n}", $"u-sam-{n}", $"u-lee-{n}", $"p-{n}");
        var desk = new DeskCopy();
        string first;
        long epoch;
        await using (var host = new HuddleWebProcess(azurite.Server.ConnectionString, table))
        {
            await host.StartAsync(Ct);
            await host.PutTeamAsync(teamId, new
            {
                name = "Desk team",
                members = new[]
                {
                    new { userId = pcp, displayName = "Dr. Pat Carter", role = "pcp" },
                    new { userId = sam, displayName = "Sam Okafor", role = "bhc" },
                    new { userId = lee, displayName = "Lee Varga", role = "bhc" },
                },
                patients = new[] { new { patientId = patient, displayName = "Alma Reyes", room = "Exam 3" } },
            }, Ct);

            using var asPcp = await host.ClientForAsync(pcp, Ct);
            // Every reachable BHC is pinged at once: two consultants can then race to accept (below).
            using (var policy = await asPcp.PutAsJsonAsync($"api/teams/{teamId}/handoff-policy", new
            {
                statSeconds = 60, asapSeconds = 120, urgentSeconds = 300, routineSeconds = 900,
                backup1 = (string?)null, backup2 = (string?)null, pingAllAtOnce = true, pushReachesOffline = false,
            }, Ct))
            {
                Assert.True(policy.IsSuccessStatusCode, await policy.Content.ReadAsStringAsync(Ct));
            }

            await using var deskHub = await host.HubForAsync(pcp, Ct);
            var events = Listen(deskHub);
            var subscribed = await deskHub.InvokeAsync<JsonElement>("SubscribeTeamHandoffs", teamId, Ct);
            Assert.True(subscribed.GetProperty("ok").GetBoolean(), subscribed.ToString());
            desk.Take(subscribed);
            epoch = subscribed.GetProperty("epoch").GetInt64();

            // Both consultants online; Lee chooses do-not-disturb.
            await using var samHub = await host.HubForAsync(sam, Ct);
            await using var leeHub = await host.HubForAsync(lee, Ct);
            var dnd = await leeHub.InvokeAsync<JsonElement>("SetPresence", "doNotDisturb", Ct);
            Assert.Equal("doNotDisturb", dnd.GetProperty("status").GetString());

            first = await HandoffRequests.RequestAsync(asPcp, teamId, patient, new { role = "bhc" }, $"dr1-{n}", Ct);
            await FollowAsync(desk, events, () => desk.Version(first) > 0);
            Assert.Equal([sam], await NotifiedAsync(asPcp, first));
            Assert.Equal(await DeskCopy.ReadAsync(asPcp, teamId, Ct), desk.View);
            await host.KillAsync();
        }

        await using var restarted = new HuddleWebProcess(azurite.Server.ConnectionString, table);
        await restarted.StartAsync(Ct);
        using var pcpHttp = await restarted.ClientForAsync(pcp, Ct);
        using var samHttp = await restarted.ClientForAsync(sam, Ct);
        using var leeHttp = await restarted.ClientForAsync(lee, Ct);
        Assert.Equal(await DeskCopy.ReadAsync(pcpHttp, teamId, Ct), desk.View);

        // The desk reconnects and resumes from its seq and epoch: the list was stored, its numbering goes on, nothing was missed.
        await using var deskAgain = await restarted.HubForAsync(pcp, Ct);
        var live = Listen(deskAgain);
        var resumed = await deskAgain.InvokeAsync<JsonElement>("ResumeTeamHandoffs", teamId, desk.Seq, epoch, Ct);
        Assert.True(resumed.GetProperty("ok").GetBoolean(), resumed.ToString());
        TestContext.Current.TestOutputHelper?.WriteLine($"resume at seq {desk.Seq}: reset {resumed.GetProperty("reset")}, "
            + $"{resumed.GetProperty("changes").GetArrayLength()} changes, epoch {(resumed.GetProperty("epoch").GetInt64() == epoch ? "kept" : "new")}");
        // Nothing happened while the host was down: the stored seq answers with no change and no reset, in the same epoch.
        Assert.False(resumed.GetProperty("reset").GetBoolean(), resumed.ToString());
        Assert.Equal(0, resumed.GetProperty("changes").GetArrayLength());
        desk.Resume(resumed);
        Assert.Equal(epoch, resumed.GetProperty("epoch").GetInt64());
        Assert.Equal(await DeskCopy.ReadAsync(pcpHttp, teamId, Ct), desk.View);

        // Lee's choice outlived the host: routing on the restarted host still passes her by.
        await using var samAgain = await restarted.HubForAsync(sam, Ct);
        var samPings = HubConnections.Record(samAgain, "HandoffInboxChanged");
        Assert.True((await samAgain.InvokeAsync<JsonElement>("SubscribeInbox", Ct)).GetProperty("ok").GetBoolean());
        await using var leeAgain = await restarted.HubForAsync(lee, Ct);
        var leeNow = await leeAgain.InvokeAsync<JsonElement>("GetPresence", lee, Ct);
        Assert.Equal("doNotDisturb", leeNow.GetProperty("status").GetString());
        var second = await HandoffRequests.RequestAsync(pcpHttp, teamId, patient, new { role = "bhc" }, $"dr2-{n}", Ct);
        await FollowAsync(desk, live, () => desk.Version(second) > 0);
        Assert.Equal([sam], await NotifiedAsync(pcpHttp, second));
        // Sam's phone, connected to the restarted host, is pinged for it.
        var pinged = false;
        await samPings.ApplyUntilAsync(
            e => pinged |= e.GetProperty("ping").GetBoolean() && e.GetProperty("item").GetProperty("handoffId").GetString() == second,
            () => pinged, Wait, Ct);

        // Lee is available again: the next request pings both, and both accept at once. One wins; the other is told who.
        var available = await leeAgain.InvokeAsync<JsonElement>("SetPresence", "available", Ct);
        Assert.Equal("available", available.GetProperty("status").GetString());
        var raced = await HandoffRequests.RequestAsync(pcpHttp, teamId, patient, new { role = "bhc" }, $"dr3-{n}", Ct);
        Assert.Equal([lee, sam], (await NotifiedAsync(pcpHttp, raced)).Order(StringComparer.Ordinal));
        var accepts = await Task.WhenAll(
            samHttp.PostAsJsonAsync($"api/handoffs/{raced}/accept", new { etaMinutes = 4 }, Ct),
            leeHttp.PostAsJsonAsync($"api/handoffs/{raced}/accept", new { etaMinutes = 6 }, Ct));
        var won = Array.FindIndex(accepts, a => a.IsSuccessStatusCode);
        Assert.True(won >= 0, await accepts[0].Content.ReadAsStringAsync(Ct));
        var lost = accepts[1 - won];
        var loser = await lost.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal(HttpStatusCode.Conflict, lost.StatusCode);
        Assert.Equal("already_accepted", loser.GetProperty("code").GetString());
        var winner = won == 0 ? sam : lee;
        Assert.Contains(winner, loser.GetProperty("detail").GetString(), StringComparison.Ordinal);
        foreach (var accept in accepts)
        {
            accept.Dispose();
        }

        await FollowAsync(desk, live, () => desk.Status(raced) == "accepted");
        Assert.Equal(winner, desk.AcceptedBy(raced));

        // Sam declines the handoff he was pinged for before the kill. Everyone pinged has declined, so the next
        // step is taken at once: no backups are set, so it pings the whole role, now Lee (docs/api.md, "Routing
        // and escalation"). The desk shows it still requested, with Sam as the one who declined.
        using (var declined = await samHttp.PostAsJsonAsync($"api/handoffs/{first}/decline", new { reason = "In a crisis visit" }, Ct))
        {
            Assert.True(declined.IsSuccessStatusCode, await declined.Content.ReadAsStringAsync(Ct));
        }

        var escalated = default(JsonElement);
        await Eventually.Until(async () =>
        {
            escalated = await pcpHttp.GetFromJsonAsync<JsonElement>($"api/handoffs/{first}", Ct);
            return escalated.GetProperty("notified").EnumerateArray().Any(u => u.GetString() == lee);
        }, Wait, "the declined handoff to ping Lee");
        Assert.Equal("requested", escalated.GetProperty("status").GetString());
        await FollowAsync(desk, live, () => desk.Version(first) >= escalated.GetProperty("version").GetInt64());
        Assert.Equal("requested", desk.Status(first));
        Assert.Equal([sam], desk.Declined(first));

        // The requester cancels the second: it leaves the desk's list.
        using (var cancelled = await pcpHttp.PostAsJsonAsync($"api/handoffs/{second}/cancel", new { reason = "Seen by the psychiatrist" }, Ct))
        {
            Assert.True(cancelled.IsSuccessStatusCode, await cancelled.Content.ReadAsStringAsync(Ct));
        }

        await FollowAsync(desk, live, () => desk.Version(second) == 0);
        Assert.Equal(await DeskCopy.ReadAsync(pcpHttp, teamId, Ct), desk.View);
        Assert.Equal(epoch, (await pcpHttp.GetFromJsonAsync<JsonElement>($"api/teams/{teamId}/handoffs", Ct)).GetProperty("epoch").GetInt64());
    }

    private static ChannelReader<JsonElement> Listen(HubConnection hub) => HubConnections.Record(hub, "TeamHandoffsChanged");

    /// <summary>Applies events by the documented rules until <paramref name="until"/> holds (a gap or a reset fails: none is expected here).</summary>
    private static Task FollowAsync(DeskCopy desk, ChannelReader<JsonElement> events, Func<bool> until) =>
        events.ApplyUntilAsync(desk.Apply, until, Wait, Ct);

    /// <summary>Who the handoff pinged, from its details.</summary>
    private static async Task<string[]> NotifiedAsync(HttpClient http, string handoffId) =>
        [.. (await http.GetFromJsonAsync<JsonElement>($"api/handoffs/{handoffId}", Ct)).GetProperty("notified").EnumerateArray().Select(u => u.GetString()!)];
}
