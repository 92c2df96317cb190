using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Huddle.Contracts.Chat;
using Huddle.Contracts.Common;
using Huddle.Testing;
using Huddle.Web.Chat;
using Huddle.Web.Http;
using Huddle.Web.Live;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Huddle.Web.Tests;

/// <summary>The app with direct threads limited to teammates (<c>Huddle:Chat:DirectThreads</c>).</summary>
public sealed class HuddleTeammatesChatAppFixture : HuddleAppFixture
{
    protected override Dictionary<string, string?> OrleansSettings()
    {
        var settings = base.OrleansSettings();
        settings["Huddle:Chat:DirectThreads"] = "Teammates";
        return settings;
    }
}

/// <summary>
/// A deployment that limits direct threads to teammates (docs/security.md): two clinicians of different
/// teams cannot start one, and one between teammates closes for both, live, the moment they no longer
/// share a team.
/// </summary>
public sealed class DirectThreadRuleTests(HuddleTeammatesChatAppFixture app) : IClassFixture<HuddleTeammatesChatAppFixture>
{
    [Fact]
    public async Task Direct_threads_are_between_teammates_and_close_when_they_no_longer_are()
    {
        var team = await app.CreateTeamAsync();
        using var pcp = await app.HttpAsAsync(team.Pcp);
        using (var across = await pcp.PostAsJsonAsync("api/threads/direct", new { userId = team.Outsider }, HuddleJson.Options))
        {
            Assert.Equal(HttpStatusCode.Forbidden, across.StatusCode);
            Assert.Contains("share a care team", await across.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        string threadId;
        using (var started = await pcp.PostAsJsonAsync("api/threads/direct", new { userId = team.Bhc }, HuddleJson.Options))
        {
            Assert.Equal(HttpStatusCode.OK, started.StatusCode);
            threadId = (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("threadId").GetString()!;
        }

        using (var sent = await pcp.PostAsJsonAsync($"api/threads/{threadId}/messages", new SendMessage("c-1", "Got a minute?"), HuddleJson.Options))
        {
            Assert.Equal(HttpStatusCode.OK, sent.StatusCode);
        }

        await using var bhc = await app.HubAsAsync(team.Bhc);
        Assert.True((await bhc.InvokeAsync<Result<FeedReply<ThreadSnapshot, ThreadChange>>>(nameof(HuddleHub.SubscribeThread), threadId)).Ok);
        var relay = app.App.Services.GetRequiredService<FeedRelay>();
        Assert.Contains(relay.WatchersOf(ThreadRoute.FeedOf(threadId)), w => w.UserId == team.Bhc);

        // The BHC leaves the team: the thread closes for both, and the BHC's open watch is dropped.
        using var admin = await app.HttpAsAsync(await app.AdministratorAsync());
        (await admin.DeleteAsync($"api/admin/teams/{team.TeamId}/members/{team.Bhc}")).EnsureSuccessStatusCode();
        await Eventually.Until(() => Task.FromResult(relay.WatchersOf(ThreadRoute.FeedOf(threadId)).All(w => w.UserId != team.Bhc)), HubClient.Timeout,
            "the BHC's watch of the direct thread to be dropped");
        using (var after = await pcp.PostAsJsonAsync($"api/threads/{threadId}/messages", new SendMessage("c-2", "Still there?"), HuddleJson.Options))
        {
            Assert.Equal(HttpStatusCode.Forbidden, after.StatusCode);
            Assert.Contains("share a care team", await after.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        Assert.Equal(ErrorCodes.Forbidden, (await bhc.InvokeAsync<Result<FeedReply<ThreadSnapshot, ThreadChange>>>(nameof(HuddleHub.SubscribeThread), threadId)).Error?.Code);

        // Nor does starting it again open it (or list it again for either of them).
        using (var again = await pcp.PostAsJsonAsync("api/threads/direct", new { userId = team.Bhc }, HuddleJson.Options))
        {
            Assert.Equal(HttpStatusCode.Forbidden, again.StatusCode);
            Assert.Contains("share a care team", await again.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
    }
}
