using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Threading.Channels;
using Huddle.Contracts.Common;
using Huddle.Contracts.Presence;
using Huddle.Testing;
using Huddle.Web.Live;
using Huddle.Web.Presence;
using Microsoft.AspNetCore.SignalR.Client;

namespace Huddle.Web.Tests.Presence;

/// <summary>A team's presence roster, live: who is available, on do-not-disturb or gone, as the board and the target picker see it.</summary>
public sealed class TeamPresenceTests(HuddleAppFixture app)
{
    [Fact]
    public async Task A_watcher_sees_a_colleague_come_online_choose_do_not_disturb_and_leave()
    {
        var team = await app.CreateTeamAsync();
        await using var pcp = await HubClient.ConnectAsync(app, team.Pcp);
        var changes = Channel.CreateUnbounded<TeamPresenceChange>();
        pcp.Hub.On<TeamPresenceChange>(nameof(IHuddleClient.TeamPresenceChanged), c => changes.Writer.TryWrite(c));
        var roster = await pcp.Hub.InvokeAsync<Result<FeedReply<TeamPresenceSnapshot, TeamPresenceChange>>>(nameof(HuddleHub.SubscribeTeamPresence), team.TeamId);
        Assert.True(roster.Ok, roster.Error?.Message);
        Assert.Equal([team.Pcp, team.Bhc], roster.Value!.Snapshot!.Members.Select(m => m.UserId));
        Assert.Equal(PresenceStatus.Offline, roster.Value.Snapshot.Members.Single(m => m.UserId == team.Bhc).Status);

        async Task<PresenceView> NextOf(string userId, string what)
        {
            while (true)
            {
                var change = await changes.Reader.ReadAsync().AsTask().Within(HubClient.Timeout, what);
                if (change.Member?.UserId == userId)
                {
                    return change.Member;
                }
            }
        }

        var bhc = await HubClient.ConnectAsync(app, team.Bhc);
        Assert.Equal(PresenceStatus.Available, (await NextOf(team.Bhc, "the BHC online")).Status);
        await bhc.Hub.InvokeAsync<Result<PresenceView>>(nameof(HuddleHub.SetPresence), PresenceStatus.DoNotDisturb);
        Assert.Equal(PresenceStatus.DoNotDisturb, (await NextOf(team.Bhc, "the BHC on do-not-disturb")).Status);
        await bhc.DisposeAsync();
        Assert.Equal(PresenceStatus.Offline, (await NextOf(team.Bhc, "the BHC gone")).Status);

        // The same roster over HTTP, and from a seq: only what changed since.
        using var http = await app.HttpAsAsync(team.Pcp);
        var now = await http.GetFromJsonAsync<JsonElement>($"api/teams/{team.TeamId}/presence");
        Assert.True(now.GetProperty("ok").GetBoolean());
        var seq = now.GetProperty("seq").GetInt64();
        Assert.Empty((await http.GetFromJsonAsync<JsonElement>($"api/teams/{team.TeamId}/presence?since={seq}")).GetProperty("changes").EnumerateArray());
    }

    [Fact]
    public async Task Only_the_teams_members_and_displays_may_watch_its_presence()
    {
        var team = await app.CreateTeamAsync();
        await using var outsider = await HubClient.ConnectAsync(app, team.Outsider);
        var refused = await outsider.Hub.InvokeAsync<Result<FeedReply<TeamPresenceSnapshot, TeamPresenceChange>>>(nameof(HuddleHub.SubscribeTeamPresence), team.TeamId);
        Assert.Equal(ErrorCodes.Forbidden, refused.Error?.Code);

        await using var wall = await HubClient.ConnectAsync(app, team.Display);
        Assert.True((await wall.Hub.InvokeAsync<Result<FeedReply<TeamPresenceSnapshot, TeamPresenceChange>>>(nameof(HuddleHub.SubscribeTeamPresence), team.TeamId)).Ok);

        using var http = await app.HttpAsAsync(team.Outsider);
        Assert.Equal(HttpStatusCode.Forbidden, (await http.GetAsync($"api/teams/{team.TeamId}/presence")).StatusCode);
    }

    /// <summary>
    /// One clinician's presence is for their teammates (and the team's wall) only: anyone else is refused
    /// the same way whether the user exists or not, and a member taken off the roster loses it at once.
    /// </summary>
    [Fact]
    public async Task A_clinicians_presence_is_for_teammates_only_by_hub_and_http()
    {
        var team = await app.CreateTeamAsync();
        async Task<Result<PresenceView>> ReadAsync(string reader, string userId)
        {
            await using var hub = await HubClient.ConnectAsync(app, reader);
            var viaHub = await hub.Hub.InvokeAsync<Result<PresenceView>>(nameof(HuddleHub.GetPresence), userId);
            using var http = await app.HttpAsAsync(reader);
            using var viaHttp = await http.GetAsync($"api/presence/{userId}");
            Assert.Equal(viaHub.Ok ? HttpStatusCode.OK : viaHub.Error!.Code == ErrorCodes.Forbidden ? HttpStatusCode.Forbidden : HttpStatusCode.BadRequest, viaHttp.StatusCode);
            return viaHub;
        }

        foreach (var reader in new[] { team.Bhc, team.Display, team.Pcp })
        {
            var seen = await ReadAsync(reader, team.Pcp);
            Assert.True(seen.Ok, $"{reader} reading the PCP's presence: {seen.Error?.Code}");
            Assert.Equal(team.Pcp, seen.Value!.UserId);
        }

        foreach (var userId in new[] { team.Pcp, "u-no-such-user" })
        {
            var refused = await ReadAsync(team.Outsider, userId);
            Assert.Equal(ErrorCodes.Forbidden, refused.Error?.Code);
            Assert.Equal("You may see the presence of your teammates only.", refused.Error!.Message);
        }

        // The BHC is taken off the roster (their profile still lists the team): refused from then on.
        using var dev = app.Http();
        var roster = new Huddle.Web.Auth.DevTeamRequest("Test team", [new(team.Pcp, "Dr. Pat Carter", Contracts.CareTeams.CareTeamRole.Pcp)], [team.Display]);
        (await dev.PutAsJsonAsync($"api/dev/teams/{team.TeamId}", roster, Huddle.Web.Http.HuddleJson.Options)).EnsureSuccessStatusCode();
        Assert.Equal(ErrorCodes.Forbidden, (await ReadAsync(team.Bhc, team.Pcp)).Error?.Code);
    }
}
