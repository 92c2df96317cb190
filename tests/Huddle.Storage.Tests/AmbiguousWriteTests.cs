using Huddle.Storage.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using Huddle.Contracts.Boards;
using Huddle.Contracts.CareTeams;
using Huddle.Grains.Common;

namespace Huddle.Storage.Tests;

/// <summary>
/// Orleans' provider reports a write that committed but whose reply was lost as a failure
/// (<see cref="InconsistentStateException"/> on the SDK's retry, although the row holds the new
/// value). Huddle's cover is the caller's operation id: the client's retry is applied once.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class AmbiguousWriteTests(AzuriteFixture azurite)
{
    private const string Pcp = "u-pcp";

    [Fact]
    public async Task A_write_that_landed_but_was_reported_failed_is_applied_once_when_retried_with_the_same_operation_id()
    {
        await using var cluster = await HuddleTestCluster.StartAsync("huddle-" + Guid.NewGuid().ToString("N"), HuddleTestCluster.AzureTableConfig(azurite.Server), FaultyStorage.Register);
        var storage = (FaultyStorage)cluster.Silos[0].ServiceProvider.GetRequiredKeyedService<IGrainStorage>(StorageNames.Huddle);
        var teamId = "team-" + Guid.NewGuid().ToString("N");
        var team = cluster.Client.GetGrain<ICareTeamGrain>(teamId);
        await team.SetProfileAsync(HuddleTestCluster.Team(teamId, Pcp));
        var before = (await team.GetBoardAsync(Pcp)).Value!.Board;

        storage.FailNextWriteAfterCommit(new InconsistentStateException("The SDK's retry met its own committed write (412)."));
        var first = await Record.ExceptionAsync(() => team.ExecuteAsync(Pcp, new AddLane("x") { OpId = "op-1" }));
        Assert.NotNull(first);

        var retry = await team.ExecuteAsync(Pcp, new AddLane("x") { OpId = "op-1" });

        Assert.True(retry.Ok, retry.Error?.Message);
        Assert.Equal(before.Version + 1, retry.Value!.Version);
        var board = (await team.GetBoardAsync(Pcp)).Value!.Board;
        Assert.Equal(before.Version + 1, board.Version);
        Assert.Single(board.Lanes, l => l.Title == "x");
    }
}
