using Huddle.Storage.Tests.Infrastructure;
using Huddle.Contracts.Boards;
using Huddle.Contracts.CareTeams;

namespace Huddle.Storage.Tests;

/// <summary>A care team's board, stored through the AzureTable provider, is still there after the cluster restarts.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class CareTeamDurabilityTests(AzuriteFixture azurite)
{
    private const string Pcp = "u-pcp";

    [Fact]
    public async Task Board_changes_survive_a_cluster_restart()
    {
        var settings = HuddleTestCluster.AzureTableConfig(azurite.Server);
        var serviceId = "huddle-" + Guid.NewGuid().ToString("N");
        var teamId = "team-" + Guid.NewGuid().ToString("N");
        long versionBefore;

        await using (var cluster = await HuddleTestCluster.StartAsync(serviceId, settings))
        {
            // Silo start created the table, before any grain ran.
            var tables = new Azure.Data.Tables.TableServiceClient(azurite.Server.ConnectionString);
            var tableName = settings["Huddle:Storage:AzureTable:TableName"];
            Assert.Single(tables.Query(t => t.Name == tableName, cancellationToken: TestContext.Current.CancellationToken));

            var team = cluster.Client.GetGrain<ICareTeamGrain>(teamId);
            await team.SetProfileAsync(HuddleTestCluster.Team(teamId, Pcp));
            Assert.True((await team.ExecuteAsync(Pcp, new AddNote(NoteKind.LookBack, "Yesterday: two ED visits"))).Ok);
            Assert.True((await team.ExecuteAsync(Pcp, new AddActionItem("Call the pharmacy"))).Ok);
            versionBefore = (await team.GetBoardAsync(Pcp)).Value!.Board.Version;
        }

        await using (var cluster = await HuddleTestCluster.StartAsync(serviceId, settings))
        {
            var team = cluster.Client.GetGrain<ICareTeamGrain>(teamId);
            var read = (await team.GetBoardAsync(Pcp)).Value!;
            Assert.Equal(versionBefore, read.Board.Version);
            Assert.Equal("Yesterday: two ED visits", Assert.Single(read.Board.Notes).Text);
            Assert.Equal("Call the pharmacy", Assert.Single(read.Board.ActionItems).Title);
            Assert.Equal("Durability team", (await team.GetProfileAsync())!.Name);

            // The board's id counter came back too: a new item gets an id of its own.
            Assert.True((await team.ExecuteAsync(Pcp, new AddNote(NoteKind.LookAhead, "Short-staffed at noon"))).Ok);
            var board = (await team.GetBoardAsync(Pcp)).Value!.Board;
            var ids = board.Notes.Select(n => n.Id).Concat(board.ActionItems.Select(a => a.Id)).Concat(board.Lanes.Select(l => l.Id)).ToArray();
            Assert.Equal(ids.Length, ids.Distinct().Count());
        }
    }
}
