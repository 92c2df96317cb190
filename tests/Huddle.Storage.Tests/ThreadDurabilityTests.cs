using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text.Json;
using Huddle.Contracts.Chat;
using Huddle.Contracts.Live;
using Huddle.Storage.Tests.Infrastructure;
using Huddle.Testing;

namespace Huddle.Storage.Tests;

/// <summary>
/// Chat on Azure Table storage (Azurite): every acknowledged message is there after a restart or a
/// SIGKILL, once, in seq order, and a resend of its client message id still gets its first reply.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class ThreadDurabilityTests(AzuriteFixture azurite)
{
    private const string Pcp = "u-pcp";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Messages_and_their_client_ids_survive_a_silo_restart()
    {
        var settings = HuddleTestCluster.AzureTableConfig(azurite.Server);
        var serviceId = "huddle-" + Guid.NewGuid().ToString("N");
        var teamId = "team-" + Guid.NewGuid().ToString("N")[..20];
        var threadId = ThreadIds.ForTeam(teamId)!;
        var sent = new List<MessageSent>();

        await using (var cluster = await HuddleTestCluster.StartAsync(serviceId, settings))
        {
            await cluster.Client.GetGrain<Contracts.CareTeams.ICareTeamGrain>(teamId).SetProfileAsync(HuddleTestCluster.Team(teamId, Pcp));
            var thread = cluster.Client.GetGrain<IThreadGrain>(threadId);
            // Three full pages and some: the early messages have left the row for pages and buckets.
            for (var i = 1; i <= 100; i++)
            {
                var reply = await thread.SendAsync(Pcp, new SendMessage($"c-{i}", $"Message {i}"));
                Assert.True(reply.Ok, reply.Error?.Message);
                sent.Add(reply.Value!);
            }
        }

        await using (var cluster = await HuddleTestCluster.StartAsync(serviceId, settings))
        {
            var thread = cluster.Client.GetGrain<IThreadGrain>(threadId);
            var read = await ReadAllAsync(thread);
            Assert.Equal(Enumerable.Range(1, 100).Select(i => (long)i), read.Select(m => m.Seq));
            Assert.Equal(Enumerable.Range(1, 100).Select(i => $"Message {i}"), read.Select(m => m.Text));

            // A resend of the first (in a bucket page), a middle one and the last (in the row): the first reply each.
            foreach (var i in new[] { 1, 40, 100 })
            {
                Assert.Equal(sent[i - 1], (await thread.SendAsync(Pcp, new SendMessage($"c-{i}", $"Message {i}"))).Value);
            }

            Assert.Equal(Contracts.Common.ErrorCodes.OpIdReused, (await thread.SendAsync(Pcp, new SendMessage("c-1", "Other text"))).Error?.Code);
            Assert.Equal(101, (await thread.SendAsync(Pcp, new SendMessage("c-101", "Message 101"))).Value!.Seq);
        }
    }

    [Fact]
    public async Task Every_acknowledged_message_is_there_once_in_order_after_a_sigkill_mid_sends_and_resends_dedupe()
    {
        var table = $"Chat{Guid.NewGuid():N}"[..20];
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var (teamId, pcp, bhc) = ($"team-chat-{suffix}", $"u-chat-pcp-{suffix}", $"u-chat-bhc-{suffix}");
        var threadId = ThreadIds.ForTeam(teamId)!;
        var acked = new ConcurrentDictionary<(string Sender, string Id), long>();
        var tried = new ConcurrentDictionary<(string Sender, string Id), string>();

        await using (var first = new HuddleWebProcess(azurite.Server.ConnectionString, table))
        {
            await first.StartAsync(Ct);
            using (var response = await first.Http.PutAsJsonAsync($"api/dev/teams/{teamId}", new
            {
                name = "Chat crash team",
                members = new[] { new { userId = pcp, displayName = "Dr. Chat", role = "pcp" }, new { userId = bhc, displayName = "B. Chat", role = "bhc" } },
            }, Ct))
            {
                response.EnsureSuccessStatusCode();
            }

            using var stop = new CancellationTokenSource();
            var senders = new[] { pcp, bhc, pcp, bhc }.Select((user, n) => SendUntilAsync(first, user, $"s{n}", threadId, acked, tried, stop.Token)).ToArray();
            await Eventually.Until(() => Task.FromResult(acked.Count >= 120), TimeSpan.FromSeconds(120), "120 acknowledged messages");
            await first.KillAsync();
            await stop.CancelAsync();
            await Task.WhenAll(senders);
        }

        await using var second = new HuddleWebProcess(azurite.Server.ConnectionString, table);
        await second.StartAsync(Ct);

        // Every message tried is sent again with its id: an acknowledged one gets its seq back.
        foreach (var ((sender, id), text) in tried)
        {
            using var http = await second.ClientForAsync(sender, Ct);
            using var response = await http.PostAsJsonAsync($"api/threads/{threadId}/messages", new { clientMessageId = id, text }, Ct);
            var body = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
            Assert.True(response.IsSuccessStatusCode, body.ToString());
            if (acked.TryGetValue((sender, id), out var seq))
            {
                Assert.Equal(seq, body.GetProperty("seq").GetInt64());
            }
        }

        using var reader = await second.ClientForAsync(pcp, Ct);
        var seqs = new List<long>();
        var keys = new List<(string, string)>();
        for (var (since, more) = (0L, true); more;)
        {
            var page = await reader.GetFromJsonAsync<JsonElement>($"api/threads/{threadId}?since={since}&limit=50", Ct);
            Assert.False(page.GetProperty("reset").GetBoolean(), page.ToString());
            foreach (var change in page.GetProperty("changes").EnumerateArray())
            {
                var message = change.GetProperty("message");
                seqs.Add(change.GetProperty("seq").GetInt64());
                keys.Add((message.GetProperty("senderId").GetString()!, message.GetProperty("clientMessageId").GetString()!));
            }

            (since, more) = (page.GetProperty("seq").GetInt64(), page.GetProperty("more").GetBoolean());
        }

        TestContext.Current.TestOutputHelper?.WriteLine($"{acked.Count} acknowledged before the kill, {tried.Count} tried; {seqs.Count} stored after resends");
        Assert.Equal(Enumerable.Range(1, seqs.Count).Select(i => (long)i), seqs);
        Assert.Equal(keys.Count, keys.Distinct().Count());
        Assert.Equal(tried.Keys.Order(), keys.Order());
        foreach (var ((sender, id), seq) in acked)
        {
            Assert.Equal((sender, id), keys[(int)seq - 1]);
        }
    }

    /// <summary>One client's stream of messages, each recorded as tried before it is sent and as acknowledged with its seq.</summary>
    private static async Task SendUntilAsync(HuddleWebProcess web, string userId, string prefix, string threadId,
        ConcurrentDictionary<(string, string), long> acked, ConcurrentDictionary<(string, string), string> tried, CancellationToken stop)
    {
        using var http = await web.ClientForAsync(userId, Ct);
        for (var k = 0; !stop.IsCancellationRequested; k++)
        {
            var (id, text) = ($"{prefix}-{k}", $"{prefix} says {k}");
            tried[(userId, id)] = text;
            try
            {
                using var response = await http.PostAsJsonAsync($"api/threads/{threadId}/messages", new { clientMessageId = id, text }, stop);
                var body = await response.Content.ReadFromJsonAsync<JsonElement>(stop);
                Assert.True(response.IsSuccessStatusCode, body.ToString());
                acked[(userId, id)] = body.GetProperty("seq").GetInt64();
            }
            catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or JsonException or IOException)
            {
                // The host died under this request: it is unacknowledged, and sent again after the restart.
                return;
            }
        }
    }

    private static async Task<List<ThreadMessage>> ReadAllAsync(IThreadGrain thread)
    {
        var messages = new List<ThreadMessage>();
        for (var (since, more) = (0L, true); more;)
        {
            var page = await thread.ReadSinceAsync(IThreadGrain.Feed, since, FeedPosition.AnyEpoch, 30);
            Assert.False(page.Reset);
            messages.AddRange(page.Changes.Select(c => ((ThreadChange)c.For(FeedAudiences.Members)!).Message!));
            (since, more) = (page.Seq, page.More);
        }

        return messages;
    }
}
