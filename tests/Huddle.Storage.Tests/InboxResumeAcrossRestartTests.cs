using System.Net.Http.Json;
using System.Text.Json;
using System.Threading.Channels;
using Huddle.Storage.Tests.Infrastructure;
using Huddle.Testing;
using Microsoft.AspNetCore.SignalR.Client;

namespace Huddle.Storage.Tests;

/// <summary>
/// A consultant's phone keeping a live copy of their handoff inbox by the rules of docs/api.md (numbered
/// changes in order, hints merged by version without moving the seq), across a SIGKILL of the web host on
/// Azure Table storage (Azurite): pinged before the kill, it resumes on the restarted host from its
/// (seq, epoch), and the next step of the handoff, taken there, reaches it live as the next change; at
/// every step its copy is the inbox the server holds.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class InboxResumeAcrossRestartTests(AzuriteFixture azurite)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_pinged_inbox_resumes_on_the_restarted_host_and_the_next_step_arrives_live()
    {
        var table = $"Inbox{Guid.NewGuid():N}"[..20];
        var n = Guid.NewGuid().ToString("N")[..8];
        var (teamId, pcp, bhc) = ($"team-ir-{n}", $"u-pcp-{n}", $"u-bhc-{n}");
        var copy = new InboxCopy();
        string handoffId;
        long epoch;
        await using (var first = new HuddleWebProcess(azurite.Server.ConnectionString, table))
        {
            await first.StartAsync(Ct);
            await first.PutTeamAsync(teamId, new
            {
                name = "Inbox team",
                members = new[] { new { userId = pcp, displayName = "Dr. Pat Carter", role = "pcp" }, new { userId = bhc, displayName = "Sam Okafor", role = "bhc" } },
                patients = new[] { new { patientId = $"p-{n}", displayName = "Alma Reyes", room = "Exam 3" } },
            }, Ct);

            await using var phone = await first.HubForAsync(bhc, Ct);
            var events = Listen(phone);
            var subscribed = await phone.InvokeAsync<JsonElement>("SubscribeInbox", Ct);
            Assert.True(subscribed.GetProperty("ok").GetBoolean(), subscribed.ToString());
            copy.Take(subscribed);
            epoch = subscribed.GetProperty("epoch").GetInt64();

            using var asPcp = await first.ClientForAsync(pcp, Ct);
            handoffId = await HandoffRequests.RequestAsync(asPcp, teamId, $"p-{n}", new { userId = bhc }, $"ir-{n}", Ct);

            await FollowAsync(copy, events, () => copy.Version(handoffId) > 0 && copy.Seq > subscribed.GetProperty("seq").GetInt64());
            Assert.True(copy.Pinged, "the consultant's phone was pinged");
            using var asBhc = await first.ClientForAsync(bhc, Ct);
            Assert.Equal(await InboxCopy.ReadAsync(asBhc, Ct), copy.View);
            await first.KillAsync();
        }

        await using var second = new HuddleWebProcess(azurite.Server.ConnectionString, table);
        await second.StartAsync(Ct);
        using var asBhcAgain = await second.ClientForAsync(bhc, Ct);
        var truth = await InboxCopy.ReadAsync(asBhcAgain, Ct);
        Assert.Equal(truth, copy.View);

        // The phone reconnects (a new connection) and resumes from its seq and epoch: nothing was missed.
        await using var reconnected = await second.HubForAsync(bhc, Ct);
        var live = Listen(reconnected);
        var resumed = await reconnected.InvokeAsync<JsonElement>("ResumeInbox", copy.Seq, epoch, Ct);
        Assert.True(resumed.GetProperty("ok").GetBoolean(), resumed.ToString());
        TestContext.Current.TestOutputHelper?.WriteLine($"resume at seq {copy.Seq}: reset {resumed.GetProperty("reset")}, "
            + $"{resumed.GetProperty("changes").GetArrayLength()} changes, epoch {(resumed.GetProperty("epoch").GetInt64() == epoch ? "kept" : "new")}");
        copy.Resume(resumed);
        Assert.Equal(truth, copy.View);
        // The inbox's state was stored, not lost: its numbering goes on in the same epoch (docs/api.md, "Positions and epochs").
        Assert.Equal(epoch, resumed.GetProperty("epoch").GetInt64());

        // The consultant accepts on the restarted host: the inbox's next change arrives live and merges into the server's inbox.
        var before = copy.Version(handoffId);
        using (var accepted = await asBhcAgain.PostAsJsonAsync($"api/handoffs/{handoffId}/accept", new { etaMinutes = 5 }, Ct))
        {
            Assert.True(accepted.IsSuccessStatusCode, await accepted.Content.ReadAsStringAsync(Ct));
        }

        await FollowAsync(copy, live, () => copy.Version(handoffId) > before);
        Assert.Equal("accepted", copy.Status(handoffId));
        Assert.Equal(await InboxCopy.ReadAsync(asBhcAgain, Ct), copy.View);
    }

    private static ChannelReader<JsonElement> Listen(HubConnection hub) => HubConnections.Record(hub, "HandoffInboxChanged");

    /// <summary>Applies events by the documented rules until <paramref name="until"/> holds (a gap or a reset fails: none is expected here).</summary>
    private static Task FollowAsync(InboxCopy copy, ChannelReader<JsonElement> events, Func<bool> until) =>
        events.ApplyUntilAsync(copy.Apply, until, Wait, Ct);
}
