using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Threading.Channels;
using Huddle.Contracts.Chat;
using Huddle.Contracts.Common;
using Huddle.Testing;
using Huddle.Web.Chat;
using Huddle.Web.Http;
using Huddle.Web.Live;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Huddle.Web.Tests.Chat;

/// <summary>Receipts and unread counts as SignalR and HTTP clients see them: two devices of one clinician agree, the sender sees "read", strangers see nothing.</summary>
public sealed class ChatReceiptsHubTests(HuddleAppFixture app)
{
    /// <summary>A hub connection that keeps every <c>UnreadChanged</c> and <c>ReceiptsChanged</c> it receives, in order.</summary>
    private sealed class Device : IAsyncDisposable
    {
        private readonly Channel<UnreadChange> _unread = Channel.CreateUnbounded<UnreadChange>();
        private readonly Channel<ThreadReceipts> _receipts = Channel.CreateUnbounded<ThreadReceipts>();

        private Device(HubConnection hub)
        {
            Hub = hub;
            hub.On<UnreadChange>(nameof(IHuddleClient.UnreadChanged), c => _unread.Writer.TryWrite(c));
            hub.On<ThreadReceipts>(nameof(IHuddleClient.ReceiptsChanged), c => _receipts.Writer.TryWrite(c));
        }

        public HubConnection Hub { get; }

        public static async Task<Device> ConnectAsync(HuddleAppFixture app, string userId) => new(await app.HubAsAsync(userId));

        public Task<Result<FeedReply<UnreadSnapshot, UnreadChange>>> SubscribeUnreadAsync() =>
            Hub.InvokeAsync<Result<FeedReply<UnreadSnapshot, UnreadChange>>>(nameof(HuddleHub.SubscribeUnread));

        public Task<Result<FeedReply<ThreadReceipts, ThreadReceipts>>> SubscribeReceiptsAsync(string threadId) =>
            Hub.InvokeAsync<Result<FeedReply<ThreadReceipts, ThreadReceipts>>>(nameof(HuddleHub.SubscribeReceipts), threadId);

        public Task<Result<ThreadCursors>> ReadAsync(string threadId, long seq) =>
            Hub.InvokeAsync<Result<ThreadCursors>>(nameof(HuddleHub.ReportRead), threadId, seq);

        public Task<Result<ThreadCursors>> DeliveredAsync(string threadId, long seq) =>
            Hub.InvokeAsync<Result<ThreadCursors>>(nameof(HuddleHub.ReportDelivered), threadId, seq);

        public async Task<long> SendAsync(string threadId, string id, string text)
        {
            var sent = await Hub.InvokeAsync<Result<MessageSent>>(nameof(HuddleHub.SendMessage), threadId, new SendMessage(id, text));
            Assert.True(sent.Ok, sent.Error?.Message);
            return sent.Value!.Seq;
        }

        public Task<UnreadChange> NextUnreadAsync(string what) => _unread.Reader.ReadAsync().AsTask().Within(HubClient.Timeout * 3, what);

        public Task<ThreadReceipts> NextReceiptsAsync(string what) => _receipts.Reader.ReadAsync().AsTask().Within(HubClient.Timeout * 3, what);

        public bool HasReceivedAny => _unread.Reader.TryPeek(out _) || _receipts.Reader.TryPeek(out _);

        public ValueTask DisposeAsync() => Hub.DisposeAsync();
    }

    [Fact]
    public async Task A_read_on_one_device_reaches_the_other_device_of_the_same_clinician_as_the_next_numbered_change()
    {
        var team = await app.CreateTeamAsync();
        var threadId = ThreadIds.ForPatient(team.Patients[0])!;
        await using var pcp = await Device.ConnectAsync(app, team.Pcp);
        await using var phone = await Device.ConnectAsync(app, team.Bhc);
        await using var laptop = await Device.ConnectAsync(app, team.Bhc);
        for (var i = 1; i <= 3; i++)
        {
            await pcp.SendAsync(threadId, $"c-{i}", $"Question {i}");
        }

        // Both devices hold the counts at the same seq, with the three messages unread.
        await Eventually.Until(async () =>
        {
            var now = await phone.SubscribeUnreadAsync();
            return now.Value!.Snapshot!.Total == 3;
        }, HubClient.Timeout * 3, "three unread on the phone");
        var phoneOpen = (await phone.SubscribeUnreadAsync()).Value!;
        var laptopOpen = (await laptop.SubscribeUnreadAsync()).Value!;
        Assert.Equal((phoneOpen.Seq, phoneOpen.Epoch, 3L), (laptopOpen.Seq, laptopOpen.Epoch, laptopOpen.Snapshot!.Total));
        Assert.Equal(3, laptopOpen.Snapshot.Threads.Single(t => t.Thread.ThreadId == threadId).Unread);

        // Read on the phone up to the second message: the laptop gets the new counts as the next change.
        var read = await phone.ReadAsync(threadId, 2);
        Assert.True(read.Ok, read.Error?.Message);
        Assert.Equal((2L, 2L, 1L), (read.Value!.Read, read.Value.Delivered, read.Value.Unread));
        UnreadChange onLaptop;
        do
        {
            // An event may arrive before the reply it is already in: held, so dropped (docs/api.md).
            onLaptop = await laptop.NextUnreadAsync("the laptop's new counts");
        }
        while (onLaptop.Seq <= laptopOpen.Seq);

        UnreadChange onPhone;
        do
        {
            // The phone watched from before the last message was counted: it may hold older changes first.
            onPhone = await phone.NextUnreadAsync("the phone's new counts");
        }
        while (onPhone.Seq < onLaptop.Seq);

        Assert.Equal(laptopOpen.Seq + 1, onLaptop.Seq);
        Assert.Equal((onPhone.Seq, onPhone.Total), (onLaptop.Seq, onLaptop.Total));
        Assert.Equal((1L, 1L), (onLaptop.Total, onLaptop.Threads.Single(t => t.Thread.ThreadId == threadId).Unread));

        // A late report from a device that saw less changes nothing, and publishes nothing.
        Assert.Equal(read.Value, (await laptop.ReadAsync(threadId, 1)).Value);
        var resumed = await laptop.Hub.InvokeAsync<Result<FeedReply<UnreadSnapshot, UnreadChange>>>(nameof(HuddleHub.ResumeUnread), onLaptop.Seq, laptopOpen.Epoch);
        Assert.Empty(resumed.Value!.Changes);

        // Counts are state, and the feed keeps no past changes: a device a change behind re-reads the counts as they are now.
        var behind = (await laptop.Hub.InvokeAsync<Result<FeedReply<UnreadSnapshot, UnreadChange>>>(nameof(HuddleHub.ResumeUnread), laptopOpen.Seq, laptopOpen.Epoch)).Value!;
        Assert.True(behind.Reset, "A resume from an older seq of the unread feed should re-read the counts.");
        Assert.Equal((onLaptop.Seq, laptopOpen.Epoch, 1L), (behind.Seq, behind.Epoch, behind.Snapshot!.Total));
        Assert.Equal(1, behind.Snapshot.Threads.Single(t => t.Thread.ThreadId == threadId).Unread);
    }

    [Fact]
    public async Task The_sender_sees_a_member_read_their_message_live_and_strangers_can_neither_report_nor_watch_receipts()
    {
        var team = await app.CreateTeamAsync();
        var threadId = ThreadIds.ForTeam(team.TeamId)!;
        await using var pcp = await Device.ConnectAsync(app, team.Pcp);
        await using var bhc = await Device.ConnectAsync(app, team.Bhc);
        await using var outsider = await Device.ConnectAsync(app, team.Outsider);
        await using var display = await Device.ConnectAsync(app, team.Display);
        var seq = await pcp.SendAsync(threadId, "c-1", "Can you see Mr. B after 3?");
        var opened = await pcp.SubscribeReceiptsAsync(threadId);
        Assert.True(opened.Ok, opened.Error?.Message);
        Assert.Contains(team.Bhc, opened.Value!.Snapshot!.Members);

        Assert.True((await bhc.DeliveredAsync(threadId, seq)).Ok);
        Assert.True((await bhc.ReadAsync(threadId, seq)).Ok);
        ThreadReceipts receipts;
        do
        {
            receipts = await pcp.NextReceiptsAsync("the BHC's read, live to the PCP");
        }
        while (receipts.Cursors.SingleOrDefault(c => c.UserId == team.Bhc) is not { Read: var r } || r < seq);

        Assert.NotNull(receipts.Cursors.Single(c => c.UserId == team.Bhc).ReadAt);

        var relay = app.App.Services.GetRequiredService<FeedRelay>();
        foreach (var stranger in new[] { outsider, display })
        {
            Assert.Equal(ErrorCodes.Forbidden, (await stranger.ReadAsync(threadId, seq)).Error?.Code);
            Assert.Equal(ErrorCodes.Forbidden, (await stranger.SubscribeReceiptsAsync(threadId)).Error?.Code);
        }

        Assert.DoesNotContain(relay.WatchersOf(ReceiptsRoute.FeedOf(threadId)), w => w.UserId == team.Outsider || w.UserId == team.Display);
        using var http = await app.HttpAsAsync(team.Outsider);
        Assert.Equal(HttpStatusCode.Forbidden, (await http.GetAsync($"api/threads/{threadId}/receipts")).StatusCode);
        var posted = await http.PostAsJsonAsync($"api/threads/{threadId}/cursors", new { delivered = seq, read = seq }, HuddleJson.Options);
        Assert.Equal(HttpStatusCode.Forbidden, posted.StatusCode);

        // Nothing changed: the receipts hold the BHC and the PCP only, and strangers were sent nothing.
        var after = (await pcp.SubscribeReceiptsAsync(threadId)).Value!.Snapshot!;
        Assert.Equal(new[] { team.Bhc, team.Pcp }.Order(StringComparer.Ordinal), after.Cursors.Select(c => c.UserId).Order(StringComparer.Ordinal));
        Assert.False(outsider.HasReceivedAny);
        Assert.False(display.HasReceivedAny);
    }

    [Fact]
    public async Task Over_http_a_report_moves_the_cursor_a_bad_one_is_refused_and_the_counts_read_back()
    {
        var team = await app.CreateTeamAsync();
        var threadId = ThreadIds.ForPatient(team.Patients[1])!;
        await using var pcp = await Device.ConnectAsync(app, team.Pcp);
        var seq = await pcp.SendAsync(threadId, "c-1", "Labs are back");
        using var bhc = await app.HttpAsAsync(team.Bhc);
        var ahead = await bhc.PostAsJsonAsync($"api/threads/{threadId}/cursors", new { read = seq + 5 }, HuddleJson.Options);
        Assert.Equal(HttpStatusCode.BadRequest, ahead.StatusCode);
        Assert.Equal("validation_failed", (await ahead.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());

        var reported = await bhc.PostAsJsonAsync($"api/threads/{threadId}/cursors", new { delivered = seq }, HuddleJson.Options);
        Assert.Equal(HttpStatusCode.OK, reported.StatusCode);
        var cursors = await reported.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((seq, 0L, 1L), (cursors.GetProperty("delivered").GetInt64(), cursors.GetProperty("read").GetInt64(), cursors.GetProperty("unread").GetInt64()));

        JsonElement snapshot = default;
        await Eventually.Until(async () =>
        {
            var unread = await bhc.GetFromJsonAsync<JsonElement>("api/unread");
            Assert.True(unread.GetProperty("ok").GetBoolean());
            snapshot = unread.GetProperty("snapshot");
            return snapshot.GetProperty("total").GetInt64() == 1;
        }, HubClient.Timeout * 3, "the BHC's count of one over HTTP");
        Assert.Equal(threadId, snapshot.GetProperty("threads")[0].GetProperty("thread").GetProperty("threadId").GetString());
    }
}
