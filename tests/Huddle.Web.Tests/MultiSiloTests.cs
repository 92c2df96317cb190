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
        await using var onFirst = await HubClient.ConnectAsync(cluster.First, team.Pcp);
        await using var onSecond = await HubClient.ConnectAsync(cluster.Second, team.Bhc);
        var version = (await onFirst.OpenAsync(team.TeamId)).Version;
        await onSecond.OpenAsync(team.TeamId);

        var one = await onFirst.DoAsync(team.TeamId, "addCard", new { patientId = team.Patients[0], laneId = "lane-1" });
        Assert.Equal(version + 1, (await onSecond.NextAsync("host 2 to see host 1's change")).Version);
        Assert.Equal(one, (await onFirst.NextAsync("host 1 to see its own change")).Version);

        var two = await onSecond.DoAsync(team.TeamId, "moveCard", new { cardId = "card-5", toLaneId = "lane-2", toIndex = 0 });
        Assert.Equal(version + 2, two);
        Assert.Equal(two, (await onFirst.NextAsync("host 1 to see host 2's change")).Version);

        // Each host relays the team through exactly one subscription of its own.
        Assert.Equal(1, cluster.First.App.Services.GetRequiredService<FeedRelay>().ActiveFeeds);
        Assert.Equal(1, cluster.Second.App.Services.GetRequiredService<FeedRelay>().ActiveFeeds);
    }
}
