using Huddle.Silo.Storage;
using Huddle.Storage.Tests.Infrastructure;

namespace Huddle.Storage.Tests;

/// <summary>Keys Azure would reject are escaped reversibly, so every grain id has a row of its own.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class TableKeyTests(AzuriteFixture azurite)
{
    public static readonly TheoryData<string> AwkwardIds =
    [
        "team/42", "team\\42", "team#42", "team?42", "team\u000142", "team\u007F42", "team\u008542",
        "team~2F42", "team|42", "team%2F42", "team'42", "team_42", "équipe-漢字", "a/b\\c#d?e",
    ];

    [Theory]
    [MemberData(nameof(AwkwardIds))]
    public void Escaped_keys_hold_no_character_azure_forbids_and_unescape_to_the_original(string id)
    {
        var escaped = TableKeys.Escape(id);

        Assert.DoesNotContain(escaped, c => c is '/' or '\\' or '#' or '?' || char.IsControl(c));
        Assert.Equal(id, TableKeys.Unescape(escaped));
    }

    [Fact]
    public void A_lone_surrogate_is_escaped_rather_than_lost_on_the_wire()
    {
        var escaped = TableKeys.Escape("x\uD800y");

        Assert.Equal("x~uD800y", escaped);
        Assert.Equal("x\uD800y", TableKeys.Unescape(escaped));
        Assert.Equal("🙂", TableKeys.Escape("🙂"));
    }

    [Fact]
    public async Task Grains_whose_ids_differ_only_in_forbidden_characters_keep_separate_state()
    {
        var storage = await TestStorage.CreateAsync(azurite.Server);
        var run = Guid.NewGuid().ToString("N");
        var ids = AwkwardIds.Select(row => row.Data).ToArray();

        foreach (var id in ids)
        {
            await storage.WriteStateAsync("notes", TestStorage.NewGrainId(run + id), new TestGrainState<NoteState>(new NoteState { Text = id }));
        }

        foreach (var id in ids)
        {
            var read = new TestGrainState<NoteState>();
            await storage.ReadStateAsync("notes", TestStorage.NewGrainId(run + id), read);
            Assert.True(read.RecordExists, id);
            Assert.Equal(id, read.State.Text);
        }
    }

    [Fact]
    public async Task State_names_with_forbidden_characters_are_stored_and_read_back()
    {
        var storage = await TestStorage.CreateAsync(azurite.Server);
        var grain = TestStorage.NewGrainId();

        await storage.WriteStateAsync("board/#1?\\", grain, new TestGrainState<NoteState>(new NoteState { Text = "one" }));
        await storage.WriteStateAsync("board_1", grain, new TestGrainState<NoteState>(new NoteState { Text = "two" }));
        var read = new TestGrainState<NoteState>();
        await storage.ReadStateAsync("board/#1?\\", grain, read);

        Assert.Equal("one", read.State.Text);
    }

    [Fact]
    public async Task A_key_longer_than_azure_allows_fails_with_a_typed_exception()
    {
        var storage = await TestStorage.CreateAsync(azurite.Server);
        var grain = TestStorage.NewGrainId(new string('k', TableKeys.MaxKeyChars));

        var ex = await Assert.ThrowsAsync<StorageLimitExceededException>(
            () => storage.WriteStateAsync("notes", grain, new TestGrainState<NoteState>()));

        Assert.Equal(TableKeys.MaxKeyChars, ex.Maximum);
    }
}
