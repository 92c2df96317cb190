using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Huddle.Silo.Hosting;
using Huddle.Storage.Tests.Infrastructure;
using Huddle.Testing;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace Huddle.Storage.Tests;

/// <summary>
/// A web host restarted while the silo keeps running (docs/operations.md: web hosts as Orleans clients of
/// standalone silos, Azure Table storage on Azurite): the owners' activations, and with them the changes they
/// keep in memory, outlive the web host. Two web hosts are clients of one silo; a clinician's device on the
/// first keeps live copies of a board and of an inbox, the first host is SIGKILLed, changes are made through
/// the second while it is down, and on the restarted first host the device resumes with exactly the changes
/// it missed — in order, in the same epoch, no reset — and then follows live changes made on the other host.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class WebHostRestartKeepingTheSiloTests(AzuriteFixture azurite)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_device_resumes_on_its_restarted_web_host_with_exactly_the_changes_it_missed_and_no_reset()
    {
        var table = $"WebOnly{Guid.NewGuid():N}"[..20];
        var n = Guid.NewGuid().ToString("N")[..8];
        var (teamId, pcp, bhc) = ($"team-wo-{n}", $"u-pcp-{n}", $"u-bhc-{n}");
        var clusterId = $"webonly-{n}";
        var gatewayPort = FreePort.Next();
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            [HuddleConfig.SiloPort] = FreePort.Next().ToString(CultureInfo.InvariantCulture),
            [HuddleConfig.GatewayPort] = gatewayPort.ToString(CultureInfo.InvariantCulture),
            [HuddleConfig.ClusterId] = clusterId,
            // The dev sign-in knows the demo users, whom the silo seeds (the web hosts ask it for u-chen when they start).
            [HuddleConfig.SeedDemoData] = "true",
            [HuddleConfig.StorageProvider] = "AzureTable",
            [$"ConnectionStrings:{HuddleConfig.StorageConnection}"] = azurite.Server.ConnectionString,
            ["Huddle:Storage:AzureTable:TableName"] = table,
            ["Huddle:Storage:AzureTable:HistoryTableName"] = table + "H",
            ["Huddle:Storage:AzureTable:RemindersTableName"] = table + "R",
            ["Huddle:Storage:AzureTable:ClusteringTableName"] = table + "M",
            ["Logging:LogLevel:Default"] = "Warning",
        });
        builder.UseOrleans(silo => silo.AddHuddleSilo(builder.Configuration));
        using var silo = builder.Build();
        await silo.StartAsync(Ct);
        try
        {
            var asClient = new Dictionary<string, string>
            {
                ["Huddle__Orleans__Mode"] = "Client",
                ["Huddle__Orleans__GatewayPort"] = gatewayPort.ToString(CultureInfo.InvariantCulture),
                ["Huddle__Orleans__ClusterId"] = clusterId,
            };
            await using var first = new HuddleWebProcess(azurite.Server.ConnectionString, table, asClient);
            await using var second = new HuddleWebProcess(azurite.Server.ConnectionString, table, asClient);
            await Task.WhenAll(first.StartAsync(Ct), second.StartAsync(Ct));
            await ResumeAfterRestartAsync(first, second, teamId, pcp, bhc, n);
        }
        finally
        {
            await silo.StopAsync(CancellationToken.None);
        }
    }

    private static async Task ResumeAfterRestartAsync(HuddleWebProcess first, HuddleWebProcess second, string teamId, string pcp, string bhc, string n)
    {
        await second.PutTeamAsync(teamId, new
        {
            name = "Web host team",
            members = new[] { new { userId = pcp, displayName = "Dr. Pat Carter", role = "pcp" }, new { userId = bhc, displayName = "Sam Okafor", role = "bhc" } },
            patients = new[] { new { patientId = $"p-{n}", displayName = "Alma Reyes", room = "Exam 3" } },
        }, Ct);

        using var asPcp = await second.ClientForAsync(pcp, Ct);
        var board = new BoardCopy();
        var inbox = new InboxCopy();
        long boardEpoch, inboxEpoch;
        await using (var device = await first.HubForAsync(bhc, Ct))
        {
            var boardEvents = HubConnections.Record(device, "BoardChanged");
            var inboxEvents = HubConnections.Record(device, "HandoffInboxChanged");
            var subscribed = await device.InvokeAsync<JsonElement>("SubscribeBoard", teamId, Ct);
            Assert.True(subscribed.GetProperty("ok").GetBoolean(), subscribed.ToString());
            board.Take(subscribed.GetProperty("board"));
            boardEpoch = subscribed.GetProperty("epoch").GetInt64();
            var inboxReply = await device.InvokeAsync<JsonElement>("SubscribeInbox", Ct);
            inbox.Take(inboxReply);
            inboxEpoch = inboxReply.GetProperty("epoch").GetInt64();

            // Changes made through the other host reach the device live.
            var acked = 0L;
            for (var k = 1; k <= 2; k++)
            {
                acked = await BoardCopy.AddItemAsync(asPcp, teamId, $"before {k}", Ct);
            }

            await boardEvents.ApplyUntilAsync(board.Apply, () => board.Version >= acked, Wait, Ct);
            var pinged = await HandoffRequests.RequestAsync(asPcp, teamId, $"p-{n}", new { userId = bhc }, $"wo1-{n}", Ct);
            await inboxEvents.ApplyUntilAsync(inbox.Apply, () => inbox.Version(pinged) > 0 && inbox.Seq > inboxReply.GetProperty("seq").GetInt64(), Wait, Ct);
            await first.KillAsync();
        }

        // While the device's host is down, the team goes on through the other host: three board changes and a second ping.
        var missedFrom = board.Version;
        var last = 0L;
        for (var k = 1; k <= 3; k++)
        {
            last = await BoardCopy.AddItemAsync(asPcp, teamId, $"while away {k}", Ct);
        }

        Assert.Equal(missedFrom + 3, last);
        var whileAway = await HandoffRequests.RequestAsync(asPcp, teamId, $"p-{n}", new { userId = bhc }, $"wo2-{n}", Ct);

        await first.StartAsync(Ct);
        await using var back = await first.HubForAsync(bhc, Ct);
        var live = HubConnections.Record(back, "BoardChanged");
        var resumed = await back.InvokeAsync<JsonElement>("ResumeBoard", teamId, board.Version, boardEpoch, Ct);
        Assert.True(resumed.GetProperty("ok").GetBoolean(), resumed.ToString());
        // The board's activation lived on in the silo with its ring: exactly the three missed changes, no reset.
        Assert.False(resumed.GetProperty("reset").GetBoolean(), resumed.ToString());
        Assert.Equal(boardEpoch, resumed.GetProperty("epoch").GetInt64());
        Assert.Equal([missedFrom + 1, missedFrom + 2, missedFrom + 3], resumed.GetProperty("changes").EnumerateArray().Select(c => c.GetProperty("version").GetInt64()));
        board.Resume(resumed);
        Assert.Equal(await BoardCopy.ReadAsync(asPcp, teamId, Ct), board.Board);

        using var asBhc = await first.ClientForAsync(bhc, Ct);
        var inboxResumed = await back.InvokeAsync<JsonElement>("ResumeInbox", inbox.Seq, inboxEpoch, Ct);
        Assert.True(inboxResumed.GetProperty("ok").GetBoolean(), inboxResumed.ToString());
        Assert.False(inboxResumed.GetProperty("reset").GetBoolean(), inboxResumed.ToString());
        Assert.Equal(inboxEpoch, inboxResumed.GetProperty("epoch").GetInt64());
        var missedSeqs = inboxResumed.GetProperty("changes").EnumerateArray().Select(c => c.GetProperty("seq").GetInt64()).ToArray();
        Assert.Equal(Enumerable.Range(1, missedSeqs.Length).Select(k => inbox.Seq + k), missedSeqs);
        inbox.Resume(inboxResumed);
        Assert.True(inbox.Version(whileAway) > 0, "the ping sent while the device's host was down is in what it resumed");
        Assert.Equal(await InboxCopy.ReadAsync(asBhc, Ct), inbox.View);

        // Live again: the next change, made on the other host, arrives at the restarted one as the next version.
        var next = await BoardCopy.AddItemAsync(asPcp, teamId, "after the restart", Ct);
        Assert.Equal(board.Version + 1, next);
        await live.ApplyUntilAsync(board.Apply, () => board.Version >= next, Wait, Ct);
        Assert.Equal(await BoardCopy.ReadAsync(asPcp, teamId, Ct), board.Board);
    }
}
