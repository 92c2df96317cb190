using System.Net.Http.Json;
using System.Text.Json;
using Huddle.Testing;
using Huddle.Web.Live;
using Microsoft.AspNetCore.SignalR.Client;

namespace Huddle.Web.Tests;

/// <summary>The contract a client written from docs/api.md relies on: one reply of one kind has one shape over the hub and HTTP.</summary>
public sealed class ContractTests(HuddleAppFixture app)
{
    [Fact]
    public async Task Every_feeds_http_catch_up_answers_in_the_shape_of_its_hub_twin()
    {
        var team = await app.CreateTeamAsync();
        using var http = await app.HttpAsAsync(team.Pcp);
        await using var hub = await HubClient.ConnectAsync(app, team.Pcp);
        (string Path, string Subscribe, string Resume, object[] Args)[] feeds =
        [
            ("api/inbox", nameof(HuddleHub.SubscribeInbox), nameof(HuddleHub.ResumeInbox), []),
            ($"api/teams/{team.TeamId}/handoffs", nameof(HuddleHub.SubscribeTeamHandoffs), nameof(HuddleHub.ResumeTeamHandoffs), [team.TeamId]),
            ($"api/teams/{team.TeamId}/presence", nameof(HuddleHub.SubscribeTeamPresence), nameof(HuddleHub.ResumeTeamPresence), [team.TeamId]),
            ($"api/teams/{team.TeamId}/board/changes?since=0", nameof(HuddleHub.ResumeBoard), nameof(HuddleHub.ResumeBoard), [team.TeamId, 0L]),
        ];

        foreach (var (path, subscribe, resume, args) in feeds)
        {
            var opened = await hub.Hub.InvokeCoreAsync<JsonElement>(subscribe, args);
            var read = await http.GetFromJsonAsync<JsonElement>(path);
            Assert.True(read.GetProperty("ok").GetBoolean(), $"{path}: {read}");
            Assert.Equal(JsonValueKind.Null, read.GetProperty("error").ValueKind);
            Assert.Equal(Names(opened), Names(read));

            if (subscribe == resume)
            {
                continue;
            }

            // The catch-up from a seq: ResumeX(seq) and ?since=seq.
            var seq = opened.GetProperty("seq").GetInt64();
            var resumed = await hub.Hub.InvokeCoreAsync<JsonElement>(resume, [.. args, seq]);
            var caughtUp = await http.GetFromJsonAsync<JsonElement>($"{path}?since={seq}");
            Assert.True(caughtUp.GetProperty("ok").GetBoolean(), $"{path}?since: {caughtUp}");
            Assert.Equal(Names(resumed), Names(caughtUp));
            Assert.Equal(["ok", "seq", "reset", "snapshot", "changes", "more", "epoch", "error"], Names(caughtUp));
        }
    }

    private static List<string> Names(JsonElement reply) => [.. reply.EnumerateObject().Select(p => p.Name)];
}
