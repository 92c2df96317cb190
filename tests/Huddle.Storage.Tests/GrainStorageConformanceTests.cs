using Huddle.Storage.Tests.Infrastructure;
using Orleans.Storage;

namespace Huddle.Storage.Tests;

/// <summary>The IGrainStorage contract, as Orleans' own providers keep it, against Azurite.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class GrainStorageConformanceTests(AzuriteFixture azurite)
{
    private const string StateName = "notes";

    [Fact]
    public async Task Reading_a_grain_that_was_never_written_gives_a_fresh_state_without_record_or_etag()
    {
        var storage = await TestStorage.CreateAsync(azurite.Server);
        var state = new TestGrainState<NoteState>();

        await storage.ReadStateAsync(StateName, TestStorage.NewGrainId(), state);

        Assert.False(state.RecordExists);
        Assert.Null(state.ETag);
        Assert.NotNull(state.State);
        Assert.Equal("", state.State.Text);
    }

    [Fact]
    public async Task A_written_state_reads_back_whole_from_another_storage_instance()
    {
        var options = TestStorage.Options(azurite.Server);
        var storage = TestStorage.Create(options);
        await storage.InitializeAsync(TestContext.Current.CancellationToken);
        var grain = TestStorage.NewGrainId();
        var written = new TestGrainState<NoteState>(new NoteState { Text = "Follow-up due — Größe 漢字", Count = 3, Items = ["a", "b"] });

        await storage.WriteStateAsync(StateName, grain, written);
        var read = new TestGrainState<NoteState>();
        await TestStorage.Create(options).ReadStateAsync(StateName, grain, read);

        Assert.True(written.RecordExists);
        Assert.True(read.RecordExists);
        Assert.Equal(written.ETag, read.ETag);
        Assert.Equal("Follow-up due — Größe 漢字", read.State.Text);
        Assert.Equal(3, read.State.Count);
        Assert.Equal(["a", "b"], read.State.Items);
    }

    [Fact]
    public async Task Each_write_gives_a_new_etag()
    {
        var storage = await TestStorage.CreateAsync(azurite.Server);
        var grain = TestStorage.NewGrainId();
        var state = new TestGrainState<NoteState>(new NoteState());
        var etags = new List<string?>();

        for (var i = 0; i < 3; i++)
        {
            state.State.Count = i;
            await storage.WriteStateAsync(StateName, grain, state);
            etags.Add(state.ETag);
        }

        Assert.All(etags, Assert.NotNull);
        Assert.Equal(3, etags.Distinct().Count());
    }

    [Fact]
    public async Task Two_states_of_one_grain_are_separate_rows()
    {
        var storage = await TestStorage.CreateAsync(azurite.Server);
        var grain = TestStorage.NewGrainId();

        await storage.WriteStateAsync("a", grain, new TestGrainState<NoteState>(new NoteState { Text = "first" }));
        await storage.WriteStateAsync("b", grain, new TestGrainState<NoteState>(new NoteState { Text = "second" }));
        var a = new TestGrainState<NoteState>();
        await storage.ReadStateAsync("a", grain, a);

        Assert.Equal("first", a.State.Text);
    }

    [Fact]
    public async Task A_second_insert_of_the_same_grain_fails_as_inconsistent_state()
    {
        var storage = await TestStorage.CreateAsync(azurite.Server);
        var grain = TestStorage.NewGrainId();
        await storage.WriteStateAsync(StateName, grain, new TestGrainState<NoteState>(new NoteState { Text = "first" }));

        // Another activation that believes there is no row yet (ETag null).
        var duplicate = new TestGrainState<NoteState>(new NoteState { Text = "second" });
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync(StateName, grain, duplicate));

        var read = new TestGrainState<NoteState>();
        await storage.ReadStateAsync(StateName, grain, read);
        Assert.Equal("first", read.State.Text);
    }

    [Fact]
    public async Task A_write_with_a_stale_etag_fails_as_inconsistent_state_and_changes_nothing()
    {
        var storage = await TestStorage.CreateAsync(azurite.Server);
        var grain = TestStorage.NewGrainId();
        await storage.WriteStateAsync(StateName, grain, new TestGrainState<NoteState>(new NoteState { Text = "v1" }));
        var first = new TestGrainState<NoteState>();
        var second = new TestGrainState<NoteState>();
        await storage.ReadStateAsync(StateName, grain, first);
        await storage.ReadStateAsync(StateName, grain, second);

        first.State.Text = "v2";
        await storage.WriteStateAsync(StateName, grain, first);
        second.State.Text = "v2 from a stale copy";
        var staleETag = second.ETag;
        var ex = await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync(StateName, grain, second));

        Assert.Equal(staleETag, ex.CurrentEtag);
        Assert.Equal(first.ETag, ex.StoredEtag);
        var read = new TestGrainState<NoteState>();
        await storage.ReadStateAsync(StateName, grain, read);
        Assert.Equal("v2", read.State.Text);
    }

    [Fact]
    public async Task A_write_after_another_activation_deleted_the_row_fails_as_inconsistent_state()
    {
        var storage = await TestStorage.CreateAsync(azurite.Server, o => o.DeleteStateOnClear = true);
        var grain = TestStorage.NewGrainId();
        var first = new TestGrainState<NoteState>(new NoteState { Text = "v1" });
        await storage.WriteStateAsync(StateName, grain, first);
        var second = new TestGrainState<NoteState>();
        await storage.ReadStateAsync(StateName, grain, second);

        await storage.ClearStateAsync(StateName, grain, first);

        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync(StateName, grain, second));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Clearing_twice_leaves_a_fresh_state_and_the_grain_can_write_again(bool deleteOnClear)
    {
        var storage = await TestStorage.CreateAsync(azurite.Server, o => o.DeleteStateOnClear = deleteOnClear);
        var grain = TestStorage.NewGrainId();
        var state = new TestGrainState<NoteState>(new NoteState { Text = "to clear" });
        await storage.WriteStateAsync(StateName, grain, state);

        await storage.ClearStateAsync(StateName, grain, state);
        await storage.ClearStateAsync(StateName, grain, state);

        Assert.False(state.RecordExists);
        Assert.Equal("", state.State.Text);
        Assert.Equal(deleteOnClear, state.ETag is null);
        var read = new TestGrainState<NoteState>();
        await storage.ReadStateAsync(StateName, grain, read);
        Assert.False(read.RecordExists);
        Assert.Equal(state.ETag, read.ETag);

        state.State.Text = "after";
        await storage.WriteStateAsync(StateName, grain, state);
        await storage.ReadStateAsync(StateName, grain, read);
        Assert.True(read.RecordExists);
        Assert.Equal("after", read.State.Text);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Clearing_with_a_stale_etag_fails_as_inconsistent_state(bool deleteOnClear)
    {
        var storage = await TestStorage.CreateAsync(azurite.Server, o => o.DeleteStateOnClear = deleteOnClear);
        var grain = TestStorage.NewGrainId();
        var first = new TestGrainState<NoteState>(new NoteState { Text = "v1" });
        await storage.WriteStateAsync(StateName, grain, first);
        var stale = new TestGrainState<NoteState>();
        await storage.ReadStateAsync(StateName, grain, stale);
        await storage.WriteStateAsync(StateName, grain, first);

        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.ClearStateAsync(StateName, grain, stale));

        var read = new TestGrainState<NoteState>();
        await storage.ReadStateAsync(StateName, grain, read);
        Assert.Equal("v1", read.State.Text);
    }

    [Fact]
    public async Task Deleting_with_no_etag_while_a_row_exists_fails_as_inconsistent_state()
    {
        var storage = await TestStorage.CreateAsync(azurite.Server, o => o.DeleteStateOnClear = true);
        var grain = TestStorage.NewGrainId();
        await storage.WriteStateAsync(StateName, grain, new TestGrainState<NoteState>(new NoteState { Text = "kept" }));

        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.ClearStateAsync(StateName, grain, new TestGrainState<NoteState>()));
    }

    [Fact]
    public async Task A_table_deleted_under_a_running_silo_is_created_again_on_the_next_write()
    {
        var options = TestStorage.Options(azurite.Server);
        var storage = TestStorage.Create(options);
        await storage.InitializeAsync(TestContext.Current.CancellationToken);
        var kept = new TestGrainState<NoteState>(new NoteState { Text = "v1" });
        var keptGrain = TestStorage.NewGrainId();
        await storage.WriteStateAsync(StateName, keptGrain, kept);

        await new Azure.Data.Tables.TableClient(options.ConnectionString, options.TableName).DeleteAsync(TestContext.Current.CancellationToken);

        var fresh = new TestGrainState<NoteState>(new NoteState { Text = "new grain" });
        await storage.WriteStateAsync(StateName, TestStorage.NewGrainId(), fresh);
        Assert.True(fresh.RecordExists);

        // A grain whose row went with the table learns it on its next write.
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync(StateName, keptGrain, kept));
    }
}
