using System.Net.Http.Json;
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
using Huddle.Contracts.CareTeams;
using Huddle.Contracts.Common;
using Huddle.Contracts.Handoffs;

namespace Huddle.Web.Tests;

/// <summary>
/// Two web hosts in one Orleans cluster (Azure Table membership on Azurite): a change made on one
/// reaches clients of the other, and killing one leaves the other serving.
/// </summary>
public sealed class MultiSiloTests(HuddleAzureClusterFixture cluster) : IClassFixture<HuddleAzureClusterFixture>
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
        // Each host is handed its own silo's changes directly, the other's by message: its silo knows one host, itself.
        Assert.Equal(1, cluster.First.App.Services.GetRequiredService<Huddle.Grains.Live.LocalFeedHosts>().Count);
        Assert.Equal(1, cluster.Second.App.Services.GetRequiredService<Huddle.Grains.Live.LocalFeedHosts>().Count);
    }

    [Fact]
    public async Task A_consultant_connected_to_the_other_host_is_still_pinged_on_every_device()
    {
        var n = Guid.NewGuid().ToString("N")[..8];
        var (teamId, pcpId, bhcId) = ($"team-mh-{n}", $"u-pcp-{n}", $"u-bhc-{n}");
        using (var http = cluster.First.Http())
        {
            var team = new DevTeamRequest("Two-host team", [new(pcpId, "Dr. Pat Carter", CareTeamRole.Pcp), new(bhcId, "Sam Okafor", CareTeamRole.Bhc)],
                [], [new($"p-{n}", "Alma Reyes", "Exam 3")]);
            (await http.PutAsJsonAsync($"api/dev/teams/{teamId}", team, HuddleJson.Options)).EnsureSuccessStatusCode();
        }

        // The BHC's phone and laptop are both on the second host; the PCP asks from the first.
        await using var phone = await Clinician.ConnectAsync(cluster.Second, bhcId);
        await using var laptop = await Clinician.ConnectAsync(cluster.Second, bhcId);
        await using var pcp = await Clinician.ConnectAsync(cluster.First, pcpId);
        var requested = await pcp.Hub.InvokeAsync<Result<HandoffSummary>>(nameof(HuddleHub.RequestHandoff),
            new RequestHandoff(teamId, $"p-{n}", "Exam 3", new HandoffTarget(Role: CareTeamRole.Bhc),
                HandoffPriority.Urgent, new Sbar("PHQ-9 of 18 today")));
        Assert.True(requested.Ok, requested.Error?.Message);

        foreach (var device in new[] { phone, laptop })
        {
            var ping = await device.NextAsync("the ping on a device connected to the other host");
            Assert.Equal((true, requested.Value!.HandoffId), (ping.Ping, ping.Item!.HandoffId));
        }
    }

    [Fact]
    public async Task The_documented_two_host_procedure_gives_one_cluster_either_host_serves()
    {
        var ct = TestContext.Current.CancellationToken;
        var tables = "Doc" + Guid.NewGuid().ToString("N")[..12];
        var keys = Directory.CreateTempSubdirectory("huddle-keys-").FullName;
        var clusterId = $"doc-{Guid.NewGuid():N}";

        // docs/operations.md, "Two or more hosts", step 4: the same settings on both hosts, the
        // advertised address and the ports per host (both on this machine: 127.0.0.1, two ports each),
        // demo data seeded by the first only. Each host gets a home of its own, as on two machines:
        // ASP.NET Core's default key ring lives there, so only the shared folder can make them agree.
        Dictionary<string, string> Host(bool seeds) => new()
        {
            ["Huddle__Orleans__ClusterId"] = clusterId,
            ["Huddle__Orleans__ServiceId"] = "huddle",
            ["Huddle__Clustering__Provider"] = "AzureTable",
            ["Huddle__Storage__Provider"] = "AzureTable",
            ["ConnectionStrings__HuddleStorage"] = cluster.Azurite.ConnectionString,
            ["Huddle__DataProtection__KeysPath"] = keys,
            ["Huddle__Orleans__AdvertisedIP"] = "127.0.0.1",
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["Huddle__Demo__Seed"] = seeds ? "true" : "false",
            ["HOME"] = Directory.CreateTempSubdirectory("huddle-home-").FullName,
        };

        await using var first = new HuddleWebProcess(cluster.Azurite.ConnectionString, tables, Host(seeds: true));
        await using var second = new HuddleWebProcess(cluster.Azurite.ConnectionString, tables, Host(seeds: false));
        await first.StartAsync(ct);
        await second.StartAsync(ct);
        foreach (var host in new[] { first, second })
        {
            await Eventually.Until(async () => (await host.Http.GetAsync("health/ready", ct)).IsSuccessStatusCode, TimeSpan.FromSeconds(60), "the host ready");
        }

        // Signed in on the first host, served by the second: the token opens on either (a load
        // balancer may send any request anywhere but a circuit's).
        using var viaFirst = await first.ClientForAsync("u-chen", ct);
        using var viaSecond = new HttpClient { BaseAddress = second.Http.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        viaSecond.DefaultRequestHeaders.Authorization = viaFirst.DefaultRequestHeaders.Authorization;
        using (var me = await viaSecond.GetAsync("api/me", ct))
        {
            Assert.True(me.IsSuccessStatusCode, $"a token from the first host on the second: {(int)me.StatusCode}");
        }

        // One cluster on one storage: the demo team the first host seeded is there through the second,
        // and a change made through the second is read back through the first.
        var text = "Two-host note " + Guid.NewGuid().ToString("N")[..6];
        (await viaSecond.PostAsJsonAsync("api/teams/team-maple/board/addNote", new { kind = "lookAhead", text }, ct)).EnsureSuccessStatusCode();
        var board = await viaFirst.GetFromJsonAsync<JsonElement>("api/teams/team-maple/board", ct);
        Assert.Contains(text, board.GetProperty("notes").EnumerateArray().Select(n => n.GetProperty("text").GetString()));
    }

    [Fact]
    public async Task Killing_one_host_with_sigkill_leaves_the_other_serving_every_board()
    {
        var ct = TestContext.Current.CancellationToken;
        var settings = HuddleAzureClusterFixture.ClusterSettings(cluster.Azurite, "Kill" + Guid.NewGuid().ToString("N")[..12])
            .Where(s => s.Key.StartsWith("Huddle:Clustering", StringComparison.Ordinal) || s.Key.StartsWith("Huddle:Orleans", StringComparison.Ordinal))
            .ToDictionary(s => s.Key.Replace(":", "__", StringComparison.Ordinal), s => s.Value!);
        var tables = "Kill" + Guid.NewGuid().ToString("N")[..12];
        await using var first = new HuddleWebProcess(cluster.Azurite.ConnectionString, tables, settings);
        await using var second = new HuddleWebProcess(cluster.Azurite.ConnectionString, tables, settings);
        await first.StartAsync(ct);
        await second.StartAsync(ct);

        // Eight teams, so some grains live on the host about to die whichever way placement goes (all on the survivor: 1 in 256).
        var teams = new List<string>();
        for (var t = 0; t < 8; t++)
        {
            var teamId = $"team-kill-{t}-{Guid.NewGuid():N}"[..24];
            using var created = await first.Http.PutAsJsonAsync($"api/dev/teams/{teamId}",
                new { name = $"Kill team {t}", members = new[] { new { userId = "u-kill-pcp", displayName = "Dr. Kill", role = "pcp" } } }, ct);
            created.EnsureSuccessStatusCode();
            using var viaFirst = await first.ClientForAsync("u-kill-pcp", ct);
            (await viaFirst.PostAsJsonAsync($"api/teams/{teamId}/board/addNote", new { kind = "lookBack", text = "before the kill" }, ct)).EnsureSuccessStatusCode();
            teams.Add(teamId);
        }

        // Signed in before the kill: the user's grain may live on the host about to die.
        using var survivor = await second.ClientForAsync("u-kill-pcp", ct);
        await first.KillAsync();

        foreach (var teamId in teams)
        {
            // Until the cluster declares the dead silo dead, calls to its grains may fail; then they reactivate here.
            // A call may also fail after its change was made (its audit record's log lived on the dead host: the
            // call is refused once the record is not stored within 5 s), so the client retries as a real one
            // would, with one op id: a retry returns the first result instead of adding the note again (without
            // it, CI once saw the retries fill the board to its 50 notes, and every later answer was limit_exceeded).
            var last = "";
            var opId = $"kill-{teamId}";
            await Eventually.Until(async () =>
            {
                using var response = await survivor.PostAsJsonAsync($"api/teams/{teamId}/board/addNote", new { kind = "lookBack", text = "after the kill", opId }, ct);
                last = $"{DateTime.UtcNow:HH:mm:ss} {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(ct)}";
                return response.IsSuccessStatusCode;
            }, TimeSpan.FromSeconds(90), () => $"host 2 to serve {teamId} after host 1 was killed (last answer: {last})");
            var board = await survivor.GetFromJsonAsync<JsonElement>($"api/teams/{teamId}/board", ct);
            var notes = board.GetProperty("notes").EnumerateArray().Select(n => n.GetProperty("text").GetString()).ToList();
            Assert.Equal("before the kill", notes[0]);
            Assert.Single(notes, n => n == "after the kill");
        }
    }
}
