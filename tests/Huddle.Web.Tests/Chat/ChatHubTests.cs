using System.Collections.Immutable;
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

/// <summary>Chat as real SignalR and HTTP clients see it: sends, live hints, resume after being away, who may not.</summary>
public sealed class ChatHubTests(HuddleAppFixture app)
{
    /// <summary>A clinician's hub connection that keeps every <c>ThreadChanged</c> it receives, in order.</summary>
    private sealed class ChatClient : IAsyncDisposable
    {
        private readonly Channel<ThreadChange> _changes = Channel.CreateUnbounded<ThreadChange>();

        private ChatClient(HubConnection hub)
        {
            Hub = hub;
            hub.On<ThreadChange>(nameof(IHuddleClient.ThreadChanged), c => _changes.Writer.TryWrite(c));
        }

        public HubConnection Hub { get; }

        public static async Task<ChatClient> ConnectAsync(HuddleAppFixture app, string userId) => new(await app.HubAsAsync(userId));

        public Task<Result<FeedReply<ThreadSnapshot, ThreadChange>>> SubscribeAsync(string threadId) =>
            Hub.InvokeAsync<Result<FeedReply<ThreadSnapshot, ThreadChange>>>(nameof(HuddleHub.SubscribeThread), threadId);

        public Task<Result<FeedReply<ThreadSnapshot, ThreadChange>>> ResumeAsync(string threadId, long seq, long epoch = 0) =>
            Hub.InvokeAsync<Result<FeedReply<ThreadSnapshot, ThreadChange>>>(nameof(HuddleHub.ResumeThread), threadId, seq, epoch);

        public Task<Result<MessageSent>> SendAsync(string threadId, string clientMessageId, string text, MessagePriority priority = MessagePriority.Normal) =>
            Hub.InvokeAsync<Result<MessageSent>>(nameof(HuddleHub.SendMessage), threadId, new SendMessage(clientMessageId, text, priority));

        public Task<ThreadChange> NextAsync(string what) => _changes.Reader.ReadAsync().AsTask().Within(HubClient.Timeout, what);

        public bool HasReceivedAny => _changes.Reader.TryPeek(out _);

        public ValueTask DisposeAsync() => Hub.DisposeAsync();
    }

    [Fact]
    public async Task A_member_away_while_100_messages_are_sent_gets_them_all_in_order_none_twice_on_resume()
    {
        var team = await app.CreateTeamAsync();
        var threadId = ThreadIds.ForPatient(team.Patients[0])!;
        await using var pcp = await ChatClient.ConnectAsync(app, team.Pcp);
        var bhc = await ChatClient.ConnectAsync(app, team.Bhc);
        Assert.True((await bhc.SubscribeAsync(threadId)).Ok);
        Assert.True((await pcp.SendAsync(threadId, "c-0", "Is she OK to see you today?")).Ok);
        var seen = await bhc.NextAsync("the first message, live");
        Assert.Equal((1L, "Is she OK to see you today?", team.Pcp), (seen.Seq, seen.Message!.Text, seen.Message.SenderId));

        // The BHC's phone drops off; 100 messages are sent meanwhile.
        await bhc.DisposeAsync();
        for (var i = 1; i <= 100; i++)
        {
            Assert.True((await pcp.SendAsync(threadId, $"c-{i}", $"Update {i}")).Ok);
        }

        await using var back = await ChatClient.ConnectAsync(app, team.Bhc);
        var resumed = await back.ResumeAsync(threadId, seen.Seq);
        Assert.True(resumed.Ok, resumed.Error?.Message);
        Assert.False(resumed.Value!.Reset);
        var received = resumed.Value.Changes.ToList();
        Assert.True((await pcp.SendAsync(threadId, "c-101", "Update 101")).Ok);
        received.Add(await back.NextAsync("the next message, live after the resume"));
        Assert.Equal(Enumerable.Range(2, 101).Select(i => (long)i), received.Select(c => c.Seq));
        Assert.Equal(Enumerable.Range(1, 101).Select(i => $"Update {i}"), received.Select(c => c.Message!.Text));
        Assert.False(back.HasReceivedAny);
    }

    [Fact]
    public async Task A_resend_over_the_hub_gets_the_first_reply_and_members_see_the_message_once()
    {
        var team = await app.CreateTeamAsync();
        var threadId = ThreadIds.ForTeam(team.TeamId)!;
        await using var pcp = await ChatClient.ConnectAsync(app, team.Pcp);
        await using var bhc = await ChatClient.ConnectAsync(app, team.Bhc);
        Assert.True((await bhc.SubscribeAsync(threadId)).Ok);
        var replies = new List<MessageSent>();
        for (var i = 0; i < 3; i++)
        {
            var sent = await pcp.SendAsync(threadId, "same-id", "Huddle moved to 8:15", MessagePriority.Urgent);
            Assert.True(sent.Ok, sent.Error?.Message);
            replies.Add(sent.Value!);
        }

        Assert.Single(replies.Distinct());
        Assert.Equal(MessagePriority.Urgent, (await bhc.NextAsync("the message")).Message!.Priority);
        Assert.True((await pcp.SendAsync(threadId, "next-id", "See you there")).Ok);
        Assert.Equal(2, (await bhc.NextAsync("the next message")).Seq);

        var reused = await pcp.SendAsync(threadId, "same-id", "Something else");
        Assert.Equal(ErrorCodes.OpIdReused, reused.Error?.Code);
    }

    [Fact]
    public async Task A_non_member_can_neither_subscribe_resume_read_nor_send_and_watches_nothing()
    {
        var team = await app.CreateTeamAsync();
        await using var outsider = await ChatClient.ConnectAsync(app, team.Outsider);
        await using var display = await ChatClient.ConnectAsync(app, team.Display);
        await using var pcp = await ChatClient.ConnectAsync(app, team.Pcp);
        var relay = app.App.Services.GetRequiredService<FeedRelay>();
        foreach (var threadId in new[] { ThreadIds.ForPatient(team.Patients[0])!, ThreadIds.ForTeam(team.TeamId)! })
        {
            Assert.True((await pcp.SendAsync(threadId, "c-1", "Team only")).Ok);
            foreach (var stranger in new[] { outsider, display })
            {
                Assert.Equal(ErrorCodes.Forbidden, (await stranger.SubscribeAsync(threadId)).Error?.Code);
                Assert.Equal(ErrorCodes.Forbidden, (await stranger.ResumeAsync(threadId, 0)).Error?.Code);
                Assert.Equal(ErrorCodes.Forbidden, (await stranger.SendAsync(threadId, "x-1", "let me in")).Error?.Code);
            }

            Assert.DoesNotContain(relay.WatchersOf(ThreadRoute.FeedOf(threadId)), w => w.UserId == team.Outsider || w.UserId == team.Display);
            using var http = await app.HttpAsAsync(team.Outsider);
            Assert.Equal(HttpStatusCode.Forbidden, (await http.GetAsync($"api/threads/{threadId}?since=0")).StatusCode);

            // Nothing changed: the thread still holds the one message.
            var read = await pcp.ResumeAsync(threadId, 0);
            Assert.Equal([1L], read.Value!.Changes.Select(c => c.Seq));
        }

        Assert.False(outsider.HasReceivedAny);
        Assert.False(display.HasReceivedAny);
        Assert.Equal(ErrorCodes.ValidationFailed, (await pcp.SubscribeAsync("not-a-thread")).Error?.Code);
        Assert.Equal(ErrorCodes.ValidationFailed, (await pcp.SendAsync("tm", "c-1", "x")).Error?.Code);
    }

    [Fact]
    public async Task A_clinician_taken_off_the_team_gets_no_message_stored_after_and_is_refused_on_resume()
    {
        var team = await app.CreateTeamAsync();
        var threadId = ThreadIds.ForTeam(team.TeamId)!;
        await using var pcp = await ChatClient.ConnectAsync(app, team.Pcp);
        await using var bhc = await ChatClient.ConnectAsync(app, team.Bhc);
        Assert.True((await bhc.SubscribeAsync(threadId)).Ok);
        Assert.True((await pcp.SendAsync(threadId, "c-1", "Before")).Ok);
        Assert.Equal(1, (await bhc.NextAsync("the message before")).Seq);

        // The BHC leaves the team; the next message is not pushed to them: one re-read, which is refused.
        using (var http = app.Http())
        {
            var request = new Huddle.Web.Auth.DevTeamRequest("Test team", [new(team.Pcp, "Dr. Pat Carter", Contracts.CareTeams.CareTeamRole.Pcp)], [team.Display]);
            (await http.PutAsJsonAsync($"api/dev/teams/{team.TeamId}", request, HuddleJson.Options)).EnsureSuccessStatusCode();
        }

        Assert.True((await pcp.SendAsync(threadId, "c-2", "After")).Ok);
        var last = await bhc.NextAsync("the re-read");
        Assert.True(last.Reset);
        Assert.Null(last.Message);
        var relay = app.App.Services.GetRequiredService<FeedRelay>();
        Assert.DoesNotContain(relay.WatchersOf(ThreadRoute.FeedOf(threadId)), w => w.UserId == team.Bhc);
        Assert.Equal(ErrorCodes.Forbidden, (await bhc.ResumeAsync(threadId, 1)).Error?.Code);
        Assert.True((await pcp.SendAsync(threadId, "c-3", "Later")).Ok);
        Assert.Equal(3, (await pcp.ResumeAsync(threadId, 2)).Value!.Changes.Single().Seq);
        Assert.False(bhc.HasReceivedAny);
    }

    [Fact]
    public async Task Over_http_a_send_is_stored_once_a_long_text_is_refused_and_catch_up_pages_by_limit()
    {
        var team = await app.CreateTeamAsync();
        var threadId = ThreadIds.ForPatient(team.Patients[1])!;
        using var pcp = await app.HttpAsAsync(team.Pcp);
        using var bhc = await app.HttpAsAsync(team.Bhc);
        for (var i = 1; i <= 25; i++)
        {
            var body = new SendMessage($"h-{i}", $"Note {i}");
            var sent = await pcp.PostAsJsonAsync($"api/threads/{threadId}/messages", body, HuddleJson.Options);
            Assert.Equal(HttpStatusCode.OK, sent.StatusCode);
            var reply = await sent.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(["ok", "threadId", "clientMessageId", "seq", "at", "error"], reply.EnumerateObject().Select(p => p.Name));
            Assert.Equal(i, reply.GetProperty("seq").GetInt64());
        }

        var tooLong = await pcp.PostAsJsonAsync($"api/threads/{threadId}/messages", new SendMessage("h-26", new string('x', ChatLimits.MaxText + 1)), HuddleJson.Options);
        Assert.Equal(HttpStatusCode.BadRequest, tooLong.StatusCode);
        Assert.Equal("validation_failed", (await tooLong.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
        var badPriority = await pcp.PostAsync($"api/threads/{threadId}/messages",
            new StringContent("""{"clientMessageId":"h-27","text":"hi","priority":"whenever"}""", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, badPriority.StatusCode);

        var seqs = new List<long>();
        for (var (since, more) = (0L, true); more;)
        {
            var page = await bhc.GetFromJsonAsync<JsonElement>($"api/threads/{threadId}?since={since}&limit=10");
            Assert.False(page.GetProperty("reset").GetBoolean());
            seqs.AddRange(page.GetProperty("changes").EnumerateArray().Select(c => c.GetProperty("seq").GetInt64()));
            (since, more) = (page.GetProperty("seq").GetInt64(), page.GetProperty("more").GetBoolean());
        }

        Assert.Equal(Enumerable.Range(1, 25).Select(i => (long)i), seqs);

        // Scrolling back from the 11th.
        var older = await bhc.GetFromJsonAsync<JsonElement>($"api/threads/{threadId}/messages?before=11&limit=4");
        Assert.Equal([7L, 8, 9, 10], older.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("seq").GetInt64()));
        Assert.True(older.GetProperty("more").GetBoolean());
    }

    [Fact]
    public async Task A_clinicians_thread_list_has_their_teams_threads_the_patient_threads_they_wrote_in_and_their_direct_threads()
    {
        var team = await app.CreateTeamAsync();
        await using var pcp = await ChatClient.ConnectAsync(app, team.Pcp);
        var patientThread = ThreadIds.ForPatient(team.Patients[2])!;
        Assert.True((await pcp.SendAsync(patientThread, "c-1", "Labs are back")).Ok);
        var direct = await pcp.Hub.InvokeAsync<Result<ThreadRef>>(nameof(HuddleHub.StartDirectThread), team.Bhc);
        Assert.Equal((ThreadIds.ForDirect(team.Pcp, team.Bhc), ThreadKind.Direct, team.Bhc), (direct.Value!.ThreadId, direct.Value.Kind, direct.Value.SubjectId));

        await Eventually.Until(async () =>
        {
            var list = await pcp.Hub.InvokeAsync<Result<ImmutableArray<ThreadRef>>>(nameof(HuddleHub.ListThreads));
            return list.Value!.Select(t => t.ThreadId).ToHashSet().SetEquals([ThreadIds.ForTeam(team.TeamId)!, patientThread, direct.Value.ThreadId]);
        }, HubClient.Timeout, "the PCP's thread list");

        // The BHC has the direct thread too (listed for each of the two off the start's path), and may use
        // it; the outsider may not.
        using var bhc = await app.HttpAsAsync(team.Bhc);
        await Eventually.Until(async () =>
            (await bhc.GetFromJsonAsync<JsonElement>("api/threads")).GetProperty("value").EnumerateArray()
                .Any(t => t.GetProperty("threadId").GetString() == direct.Value.ThreadId && t.GetProperty("subjectId").GetString() == team.Pcp),
            HubClient.Timeout, "the BHC's thread list to hold the direct thread, named by the PCP");
        Assert.True((await pcp.SendAsync(direct.Value.ThreadId, "d-1", "Got a minute?")).Ok);
        await using var outsider = await ChatClient.ConnectAsync(app, team.Outsider);
        Assert.Equal(ErrorCodes.Forbidden, (await outsider.SubscribeAsync(direct.Value.ThreadId)).Error?.Code);
    }
}
