using System.Net.Http.Json;
using System.Text.Json;
using System.Threading.Channels;
using Huddle.Storage.Tests.Infrastructure;
using Huddle.Testing;
using Microsoft.AspNetCore.SignalR.Client;

namespace Huddle.Storage.Tests;

/// <summary>
/// A client keeping a live copy of a board by the rules of docs/api.md ("Keeping a live copy"), across a
/// SIGKILL of the web host on Azure Table storage (Azurite): it follows live changes, reconnects to the
/// restarted host with <c>ResumeBoard</c> from where it was (and, as a client offline longer would, from
/// further back; over HTTP, also from another epoch), and follows live changes again; at every step its
/// copy is the board the server holds.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class BoardResumeAcrossRestartTests(AzuriteFixture azurite)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_live_copy_of_a_board_resumes_on_the_restarted_host_and_stays_the_servers_board()
    {
        var table = $"Resume{Guid.NewGuid():N}"[..20];
        var (teamId, pcp, bhc) = ($"team-resume-{Guid.NewGuid():N}"[..24], "u-resume-pcp", "u-resume-bhc");
        var copy = new BoardCopy();
        // The copy as it stood at each version it went through before the kill: a device offline since then resumes from one.
        var stood = new Dictionary<long, BoardCopy>();
        long epoch;
        await using (var first = new HuddleWebProcess(azurite.Server.ConnectionString, table))
        {
            await first.StartAsync(Ct);
            await first.PutTeamAsync(teamId, new
            {
                name = "Resume team",
                members = new[] { new { userId = pcp, displayName = "Dr. Resume", role = "pcp" }, new { userId = bhc, displayName = "B. Resume", role = "bhc" } },
            }, Ct);

            await using var device = await first.HubForAsync(bhc, Ct);
            var events = Listen(device);
            var subscribed = await device.InvokeAsync<JsonElement>("SubscribeBoard", teamId, Ct);
            Assert.True(subscribed.GetProperty("ok").GetBoolean(), subscribed.ToString());
            copy.Take(subscribed.GetProperty("board"));
            epoch = subscribed.GetProperty("epoch").GetInt64();

            using var asPcp = await first.ClientForAsync(pcp, Ct);
            var acked = 0L;
            for (var k = 1; k <= 3; k++)
            {
                acked = await BoardCopy.AddItemAsync(asPcp, teamId, $"before {k}", Ct);
            }

            await FollowAsync(copy, events, acked, stood);
            Assert.Equal(await BoardCopy.ReadAsync(asPcp, teamId, Ct), copy.Board);
            await first.KillAsync();
        }

        await using var second = new HuddleWebProcess(azurite.Server.ConnectionString, table);
        await second.StartAsync(Ct);
        using var asPcpAgain = await second.ClientForAsync(pcp, Ct);
        var truth = await BoardCopy.ReadAsync(asPcpAgain, teamId, Ct);
        Assert.Equal(copy.Board, truth);

        // A new connection (subscriptions do not survive one): resume from the copy's version and epoch.
        await using var reconnected = await second.HubForAsync(bhc, Ct);
        var live = Listen(reconnected);
        var resumed = await reconnected.InvokeAsync<JsonElement>("ResumeBoard", teamId, copy.Version, epoch, Ct);
        Assert.True(resumed.GetProperty("ok").GetBoolean(), resumed.ToString());
        TestContext.Current.TestOutputHelper?.WriteLine($"resume at v{copy.Version}: reset {resumed.GetProperty("reset")}, "
            + $"{resumed.GetProperty("changes").GetArrayLength()} changes, epoch {(resumed.GetProperty("epoch").GetInt64() == epoch ? "kept" : "new")}");
        copy.Resume(resumed);
        Assert.Equal(truth, copy.Board);
        // The board's state was stored, not lost: its numbering goes on in the same epoch (docs/api.md, "Positions and epochs").
        Assert.Equal(epoch, resumed.GetProperty("epoch").GetInt64());

        // Over HTTP the same: at the head, nothing and the same epoch; from another epoch, one reset with the board, never changes.
        var overHttp = await asPcpAgain.GetFromJsonAsync<JsonElement>($"api/teams/{teamId}/board/changes?since={copy.Version}&epoch={epoch}", Ct);
        Assert.False(overHttp.GetProperty("reset").GetBoolean(), overHttp.ToString());
        Assert.Equal(0, overHttp.GetProperty("changes").GetArrayLength());
        Assert.Equal(epoch, overHttp.GetProperty("epoch").GetInt64());
        var otherEpoch = new BoardCopy();
        var foreign = await asPcpAgain.GetFromJsonAsync<JsonElement>($"api/teams/{teamId}/board/changes?since={copy.Version - 1}&epoch={(epoch == 1 ? 2 : 1)}", Ct);
        Assert.True(foreign.GetProperty("reset").GetBoolean(), foreign.ToString());
        Assert.Equal(0, foreign.GetProperty("changes").GetArrayLength());
        otherEpoch.Resume(foreign);
        Assert.Equal(truth, otherEpoch.Board);

        // A device offline for longer (two changes behind) on the same restarted host: exact changes or one reset, never a wrong board.
        var behind = stood[copy.Version - 2];
        await using (var late = await second.HubForAsync(bhc, Ct))
        {
            var caughtUp = await late.InvokeAsync<JsonElement>("ResumeBoard", teamId, behind.Version, epoch, Ct);
            Assert.True(caughtUp.GetProperty("ok").GetBoolean(), caughtUp.ToString());
            TestContext.Current.TestOutputHelper?.WriteLine($"resume at v{behind.Version}: reset {caughtUp.GetProperty("reset")}, {caughtUp.GetProperty("changes").GetArrayLength()} changes");
            Assert.True(caughtUp.GetProperty("reset").GetBoolean() || caughtUp.GetProperty("changes").GetArrayLength() == 2, caughtUp.ToString());
            behind.Resume(caughtUp);
            Assert.Equal(truth, behind.Board);
        }

        // Live again on the restarted host: the next change arrives as the next version and merges into the same board.
        var next = await BoardCopy.AddItemAsync(asPcpAgain, teamId, "after the restart", Ct);
        Assert.Equal(truth.Version + 1, next);
        await FollowAsync(copy, live, next, stood);
        Assert.Equal(await BoardCopy.ReadAsync(asPcpAgain, teamId, Ct), copy.Board);
    }

    private static ChannelReader<JsonElement> Listen(HubConnection hub) => HubConnections.Record(hub, "BoardChanged");

    /// <summary>Applies live events by the documented rules until the copy reaches <paramref name="version"/> (a gap or a reset event fails: none is expected here).</summary>
    private static Task FollowAsync(BoardCopy copy, ChannelReader<JsonElement> events, long version, Dictionary<long, BoardCopy> stood) =>
        events.ApplyUntilAsync(change =>
        {
            stood.TryAdd(copy.Version, copy.Clone());
            copy.Apply(change);
        }, () => copy.Version >= version, Wait, Ct);
}
