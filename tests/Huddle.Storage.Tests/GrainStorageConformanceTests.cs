using Huddle.Storage.Tests.Infrastructure;
using Orleans.Storage;

namespace Huddle.Storage.Tests;

/// <summary>
/// The part of the IGrainStorage contract Huddle's grains rely on, against the provider a silo
/// configured for AzureTable really uses (Orleans' own, with Huddle's cover), on Azurite.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class GrainStorageConformanceTests(AzuriteFixture azurite)
{
    private const string StateName = "notes";

    [Fact]
    public async Task Reading_a_grain_that_was_never_written_gives_a_fresh_state_without_record_or_etag()
    {
        using var configured = await ConfiguredStorage.StartAsync(azurite.Server);
        var state = new TestGrainState<NoteState>();

        await configured.Storage.ReadStateAsync(StateName, ConfiguredStorage.NewGrainId(), state);

        Assert.False(state.RecordExists);
        Assert.Null(state.ETag);
        Assert.Equal("", state.State.Text);
    }

    [Fact]
    public async Task A_written_state_reads_back_whole_from_another_silo()
    {
        using var configured = await ConfiguredStorage.StartAsync(azurite.Server);
        using var other = await configured.AnotherSiloAsync(azurite.Server);
        var grain = ConfiguredStorage.NewGrainId();
        var written = new TestGrainState<NoteState>(new NoteState { Text = "Follow-up due — Größe 漢字", Count = 3, Items = ["a", "b"] });

        await configured.Storage.WriteStateAsync(StateName, grain, written);
        var read = new TestGrainState<NoteState>();
        await other.Storage.ReadStateAsync(StateName, grain, read);

        Assert.True(read.RecordExists);
        Assert.Equal(written.ETag, read.ETag);
        Assert.Equal("Follow-up due — Größe 漢字", read.State.Text);
        Assert.Equal(3, read.State.Count);
        Assert.Equal(["a", "b"], read.State.Items);
    }

    [Fact]
    public async Task Each_write_gives_a_new_etag_and_two_states_of_one_grain_are_separate()
    {
        using var configured = await ConfiguredStorage.StartAsync(azurite.Server);
        var grain = ConfiguredStorage.NewGrainId();
        var state = new TestGrainState<NoteState>(new NoteState());
        var etags = new List<string?>();
        for (var i = 0; i < 3; i++)
        {
            state.State.Count = i;
            await configured.Storage.WriteStateAsync(StateName, grain, state);
            etags.Add(state.ETag);
        }

        await configured.Storage.WriteStateAsync("other", grain, new TestGrainState<NoteState>(new NoteState { Text = "second" }));
        var read = new TestGrainState<NoteState>();
        await configured.Storage.ReadStateAsync(StateName, grain, read);

        Assert.Equal(3, etags.Distinct().Count());
        Assert.Equal(2, read.State.Count);
        Assert.Equal("", read.State.Text);
    }

    [Fact]
    public async Task A_second_insert_of_the_same_grain_fails_as_inconsistent_state()
    {
        using var configured = await ConfiguredStorage.StartAsync(azurite.Server);
        var grain = ConfiguredStorage.NewGrainId();
        await configured.Storage.WriteStateAsync(StateName, grain, new TestGrainState<NoteState>(new NoteState { Text = "first" }));

        // Another activation that believes there is no row yet (ETag null).
        await Assert.ThrowsAnyAsync<InconsistentStateException>(
            () => configured.Storage.WriteStateAsync(StateName, grain, new TestGrainState<NoteState>(new NoteState { Text = "second" })));

        var read = new TestGrainState<NoteState>();
        await configured.Storage.ReadStateAsync(StateName, grain, read);
        Assert.Equal("first", read.State.Text);
    }

    [Fact]
    public async Task A_write_with_a_stale_etag_fails_as_inconsistent_state_and_changes_nothing()
    {
        using var configured = await ConfiguredStorage.StartAsync(azurite.Server);
        var storage = configured.Storage;
        var grain = ConfiguredStorage.NewGrainId();
        await storage.WriteStateAsync(StateName, grain, new TestGrainState<NoteState>(new NoteState { Text = "v1" }));
        var first = new TestGrainState<NoteState>();
        var second = new TestGrainState<NoteState>();
        await storage.ReadStateAsync(StateName, grain, first);
        await storage.ReadStateAsync(StateName, grain, second);

        first.State.Text = "v2";
        await storage.WriteStateAsync(StateName, grain, first);
        second.State.Text = "v2 from a stale copy";
        await Assert.ThrowsAnyAsync<InconsistentStateException>(() => storage.WriteStateAsync(StateName, grain, second));

        var read = new TestGrainState<NoteState>();
        await storage.ReadStateAsync(StateName, grain, read);
        Assert.Equal("v2", read.State.Text);
    }

    [Fact]
    public async Task Clearing_keeps_a_blank_row_whose_etag_still_guards_the_next_write()
    {
        using var configured = await ConfiguredStorage.StartAsync(azurite.Server);
        var storage = configured.Storage;
        var grain = ConfiguredStorage.NewGrainId();
        var state = new TestGrainState<NoteState>(new NoteState { Text = "to clear" });
        await storage.WriteStateAsync(StateName, grain, state);
        var stale = new TestGrainState<NoteState>();
        await storage.ReadStateAsync(StateName, grain, stale);

        await storage.ClearStateAsync(StateName, grain, state);

        Assert.NotNull(state.ETag);
        var read = new TestGrainState<NoteState>();
        await storage.ReadStateAsync(StateName, grain, read);
        Assert.Equal("", read.State.Text);
        stale.State.Text = "from before the clear";
        await Assert.ThrowsAnyAsync<InconsistentStateException>(() => storage.WriteStateAsync(StateName, grain, stale));
        state.State.Text = "after";
        await storage.WriteStateAsync(StateName, grain, state);
        await storage.ReadStateAsync(StateName, grain, read);
        Assert.Equal("after", read.State.Text);
    }
}
