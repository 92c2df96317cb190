using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Threading.Channels;
using Huddle.Contracts.Chat;
using Huddle.Contracts.Common;
using Huddle.Testing;
using Huddle.Web.Http;
using Huddle.Web.Live;
using Microsoft.AspNetCore.SignalR.Client;

namespace Huddle.Web.Tests.Chat;

/// <summary>Edits and deletes as SignalR and HTTP clients see them: entries of the log, pushed live, the history for members only.</summary>
public sealed class ChatHistoryHubTests(HuddleAppFixture app)
{
    [Fact]
    public async Task An_edit_reaches_a_watching_member_live_and_its_history_is_read_over_the_hub_and_http_by_members_only()
    {
        var team = await app.CreateTeamAsync();
        var threadId = ThreadIds.ForTeam(team.TeamId)!;
        await using var pcp = await app.HubAsAsync(team.Pcp);
        await using var bhc = await app.HubAsAsync(team.Bhc);
        var changes = Channel.CreateUnbounded<ThreadChange>();
        bhc.On<ThreadChange>(nameof(IHuddleClient.ThreadChanged), c => changes.Writer.TryWrite(c));
        Assert.True((await bhc.InvokeAsync<Result<FeedReply<ThreadSnapshot, ThreadChange>>>(nameof(HuddleHub.SubscribeThread), threadId)).Ok);

        var sent = await pcp.InvokeAsync<Result<MessageSent>>(nameof(HuddleHub.SendMessage), threadId, new SendMessage("c-1", "Room 4 at 3"));
        var edit = await pcp.InvokeAsync<Result<MessageSent>>(nameof(HuddleHub.EditMessage), threadId, new EditMessage("c-2", sent.Value!.Seq, "Room 5 at 3"));
        Assert.True(edit.Ok, edit.Error?.Message);
        var first = await changes.Reader.ReadAsync().AsTask().Within(HubClient.Timeout, "the message, live");
        var edited = await changes.Reader.ReadAsync().AsTask().Within(HubClient.Timeout, "the edit, live");
        Assert.Equal((ThreadEntryKind.Message, "Room 4 at 3"), (first.Message!.Kind, first.Message.Text));
        Assert.Equal((edit.Value!.Seq, ThreadEntryKind.Edit, sent.Value.Seq, "Room 5 at 3"), (edited.Seq, edited.Message!.Kind, edited.Message.Refers, edited.Message.Text));

        var history = await bhc.InvokeAsync<Result<MessageEdits>>(nameof(HuddleHub.ReadMessageEdits), threadId, sent.Value.Seq);
        Assert.Equal(["Room 4 at 3", "Room 5 at 3"], history.Value!.Versions.Select(v => v.Text));

        using var http = await app.HttpAsAsync(team.Bhc);
        var json = await http.GetFromJsonAsync<JsonElement>($"api/threads/{threadId}/messages/{sent.Value.Seq}/edits");
        Assert.Equal(["Room 4 at 3", "Room 5 at 3"], json.GetProperty("versions").EnumerateArray().Select(v => v.GetProperty("text").GetString()));
        var resumed = await http.GetFromJsonAsync<JsonElement>($"api/threads/{threadId}?since=0");
        var entries = resumed.GetProperty("changes").EnumerateArray().Select(c => c.GetProperty("message")).ToList();
        Assert.Equal(["message", "edit"], entries.Select(m => m.GetProperty("kind").GetString()));
        Assert.Equal("Room 5 at 3", entries[0].GetProperty("text").GetString());
        Assert.Equal(edit.Value.Seq, entries[0].GetProperty("lastEdit").GetInt64());

        // Someone else's message: neither edited nor deleted; an outsider reads no history.
        var notMine = await http.PostAsJsonAsync($"api/threads/{threadId}/deletes", new DeleteMessage("d-1", sent.Value.Seq), HuddleJson.Options);
        Assert.Equal(HttpStatusCode.Forbidden, notMine.StatusCode);
        using var stranger = await app.HttpAsAsync(team.Outsider);
        Assert.Equal(HttpStatusCode.Forbidden, (await stranger.GetAsync($"api/threads/{threadId}/messages/{sent.Value.Seq}/edits")).StatusCode);
    }

    [Fact]
    public async Task A_delete_over_http_leaves_a_trace_that_a_resuming_member_gets_without_the_text()
    {
        var team = await app.CreateTeamAsync();
        var threadId = ThreadIds.ForTeam(team.TeamId)!;
        using var pcp = await app.HttpAsAsync(team.Pcp);
        using var bhc = await app.HttpAsAsync(team.Bhc);
        await pcp.PostAsJsonAsync($"api/threads/{threadId}/messages", new SendMessage("h-1", "Wrong chart: mrn-secret"), HuddleJson.Options);
        var deleted = await pcp.PostAsJsonAsync($"api/threads/{threadId}/deletes", new DeleteMessage("h-2", 1), HuddleJson.Options);
        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        Assert.Equal(2, (await deleted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("seq").GetInt64());

        var raw = await bhc.GetStringAsync($"api/threads/{threadId}?since=0");
        Assert.DoesNotContain("mrn-secret", raw, StringComparison.Ordinal);
        var message = JsonDocument.Parse(raw).RootElement.GetProperty("changes")[0].GetProperty("message");
        Assert.Equal(("", team.Pcp), (message.GetProperty("text").GetString(), message.GetProperty("deletedBy").GetString()));
        Assert.DoesNotContain("mrn-secret", await bhc.GetStringAsync($"api/threads/{threadId}"), StringComparison.Ordinal);
        Assert.DoesNotContain("mrn-secret", await bhc.GetStringAsync($"api/threads/{threadId}/messages/1/edits"), StringComparison.Ordinal);
    }
}
