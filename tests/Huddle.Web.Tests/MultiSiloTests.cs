using System.Text.Json;
using System.Threading.Channels;
using Huddle.Testing;
using Huddle.Web.Http;
using Huddle.Web.Boards;
using Huddle.Web.Auth;
using Huddle.Web.Live;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Huddle.Contracts.Boards;

namespace Huddle.Web.Tests;

/// <summary>Two web hosts in one Orleans cluster (Redis membership): a change made on one reaches clients of the other.</summary>
public sealed class MultiSiloTests(HuddleRedisClusterFixture cluster) : IClassFixture<HuddleRedisClusterFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task Clients_on_different_hosts_see_each_others_changes()
    {
        var team = await cluster.First.CreateTeamAsync();
        await using var onFirst = await cluster.First.HubAsAsync(team.Pcp);
        await using var onSecond = await cluster.Second.HubAsAsync(team.Bhc);
        var firstChanges = Channel.CreateUnbounded<BoardChange>();
        var secondChanges = Channel.CreateUnbounded<BoardChange>();
        onFirst.On<BoardChange>(nameof(IHuddleClient.BoardChanged), c => firstChanges.Writer.TryWrite(c));
        onSecond.On<BoardChange>(nameof(IHuddleClient.BoardChanged), c => secondChanges.Writer.TryWrite(c));
        var version = (await onFirst.InvokeAsync<BoardSubscription>(nameof(HuddleHub.SubscribeBoard), team.TeamId)).Board!.Version;
        Assert.True((await onSecond.InvokeAsync<BoardSubscription>(nameof(HuddleHub.SubscribeBoard), team.TeamId)).Ok);

        var one = await Execute(onFirst, team.TeamId, "addCard", new { patientId = team.Patients[0], laneId = "lane-1" });
        Assert.Equal(version + 1, (await secondChanges.Reader.ReadAsync().AsTask().Within(Timeout, "host 2 to see host 1's change")).Version);
        Assert.Equal(one.Version, (await firstChanges.Reader.ReadAsync().AsTask().Within(Timeout, "host 1 to see its own change")).Version);

        var two = await Execute(onSecond, team.TeamId, "moveCard", new { cardId = "card-5", toLaneId = "lane-2", toIndex = 0 });
        Assert.Equal(version + 2, two.Version);
        Assert.Equal(two.Version, (await firstChanges.Reader.ReadAsync().AsTask().Within(Timeout, "host 1 to see host 2's change")).Version);

        // Each host relays the team through exactly one subscription of its own.
        Assert.Equal(1, cluster.First.App.Services.GetRequiredService<Live.BoardRelay>().ActiveFeeds);
        Assert.Equal(1, cluster.Second.App.Services.GetRequiredService<Live.BoardRelay>().ActiveFeeds);
    }

    private static async Task<CommandReply> Execute(HubConnection hub, string teamId, string op, object args)
    {
        var reply = await hub.InvokeAsync<CommandReply>(nameof(HuddleHub.Execute), teamId, op, JsonSerializer.SerializeToElement(args, HuddleJson.Options));
        Assert.True(reply.Ok, reply.Error?.Message);
        return reply;
    }
}
