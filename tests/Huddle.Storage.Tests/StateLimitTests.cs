using System.Text;
using Huddle.Silo.Storage;
using Huddle.Storage.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using Huddle.Contracts.Boards;
using Huddle.Contracts.CareTeams;
using Huddle.Contracts.Common;
using Huddle.Grains.Common;

namespace Huddle.Storage.Tests;

/// <summary>
/// Orleans' Azure Table provider holds at most 983,040 bytes of binary state and throws a bare
/// ArgumentOutOfRangeException past it. Huddle turns that into a clear, typed limit error that a
/// board command reports as <c>limit_exceeded</c>; nothing is ever truncated.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class StateLimitTests(AzuriteFixture azurite)
{
    private const string StateName = "notes";
    private const string NonAscii = "Größe, café, 漢字, ünïcödé — ";

    [Fact]
    public async Task A_state_exactly_at_the_limit_is_stored_and_reads_back_whole()
    {
        using var configured = await ConfiguredStorage.StartAsync(azurite.Server);
        var grain = ConfiguredStorage.NewGrainId();
        var text = TextOfPayload(HuddleGrainStorage.MaxStateBytes);

        await configured.Storage.WriteStateAsync(StateName, grain, new TestGrainState<NoteState>(new NoteState { Text = text }));

        var read = new TestGrainState<NoteState>();
        await configured.Storage.ReadStateAsync(StateName, grain, read);
        Assert.Equal(text, read.State.Text);
    }

    [Fact]
    public async Task A_state_one_byte_past_the_limit_fails_with_a_typed_limit_error_and_leaves_storage_as_it_was()
    {
        using var configured = await ConfiguredStorage.StartAsync(azurite.Server);
        var grain = ConfiguredStorage.NewGrainId();
        var state = new TestGrainState<NoteState>(new NoteState { Text = "before" });
        await configured.Storage.WriteStateAsync(StateName, grain, state);
        var etag = state.ETag;

        state.State.Text = TextOfPayload(HuddleGrainStorage.MaxStateBytes + 1);
        var ex = await Assert.ThrowsAsync<StorageLimitExceededException>(() => configured.Storage.WriteStateAsync(StateName, grain, state));

        Assert.Contains("Nothing was written", ex.Message, StringComparison.Ordinal);
        Assert.Equal(etag, state.ETag);
        var read = new TestGrainState<NoteState>();
        await configured.Storage.ReadStateAsync(StateName, grain, read);
        Assert.Equal("before", read.State.Text);
    }

    [Fact]
    public async Task A_board_command_whose_state_passes_the_limit_returns_limit_exceeded_and_the_board_is_unchanged()
    {
        await using var cluster = await HuddleTestCluster.StartAsync("huddle-" + Guid.NewGuid().ToString("N"), HuddleTestCluster.AzureTableConfig(azurite.Server), FaultyStorage.Register);
        var storage = (FaultyStorage)cluster.Silos[0].ServiceProvider.GetRequiredKeyedService<IGrainStorage>(StorageNames.Huddle);
        var teamId = "team-" + Guid.NewGuid().ToString("N");
        var team = cluster.Client.GetGrain<ICareTeamGrain>(teamId);
        await team.SetProfileAsync(HuddleTestCluster.Team(teamId, "u-pcp"));
        var before = (await team.GetBoardAsync("u-pcp")).Value!.Board;

        // What Huddle's cover makes of the provider's size error.
        storage.FailNextWriteInstead(new StorageLimitExceededException("Grain state 'team' is larger than the 983,040 bytes one Azure Table row holds. Nothing was written."));
        var result = await team.ExecuteAsync("u-pcp", new AddLane("one lane too many"));

        Assert.Equal(ErrorCodes.LimitExceeded, result.Error?.Code);
        var after = (await team.GetBoardAsync("u-pcp")).Value!.Board;
        Assert.Equal(before.Version, after.Version);
        Assert.DoesNotContain(after.Lanes, l => l.Title == "one lane too many");
    }

    /// <summary>Non-ASCII text whose serialized state is exactly <paramref name="payloadBytes"/> long.</summary>
    private static string TextOfPayload(int payloadBytes)
    {
        var empty = PayloadLength("");
        var unit = Encoding.UTF8.GetByteCount(NonAscii);
        var text = new StringBuilder().Insert(0, NonAscii, ((payloadBytes - empty) / unit) - 1).ToString();
        text += new string('x', payloadBytes - PayloadLength(text));
        Assert.Equal(payloadBytes, PayloadLength(text));
        return text;
    }

    private static int PayloadLength(string text) =>
        OrleansServices.Serializer.Serialize(new NoteState { Text = text }).ToMemory().Length;
}
