using System.Text;
using Azure.Data.Tables;
using Huddle.Silo.Storage;
using Huddle.Storage.Tests.Infrastructure;

namespace Huddle.Storage.Tests;

/// <summary>
/// Large state is split over 64 KiB binary properties, and Azure's real limits are enforced before
/// sending (Azurite would accept more): at the limit it stores, one byte past it throws, never truncates.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class StateLimitTests(AzuriteFixture azurite)
{
    private const string StateName = "notes";
    private const string NonAscii = "Größe, café, 漢字, ünïcödé — ";

    [Fact]
    public async Task A_state_past_64_KiB_is_split_over_several_properties_and_reads_back_whole()
    {
        var options = TestStorage.Options(azurite.Server);
        var storage = TestStorage.Create(options);
        await storage.InitializeAsync(TestContext.Current.CancellationToken);
        var grain = TestStorage.NewGrainId();
        var text = TextOfPayload(300 * 1024);

        await storage.WriteStateAsync(StateName, grain, new TestGrainState<NoteState>(new NoteState { Text = text }));

        var row = await RawRowAsync(options, grain);
        var chunks = row.GetInt32(TableRowFormat.ChunksProperty);
        Assert.Equal(5, chunks);
        for (var i = 0; i < chunks; i++)
        {
            Assert.InRange(row.GetBinary("Data" + i)!.Length, 1, TableRowFormat.MaxBinaryPropertyBytes);
        }

        var read = new TestGrainState<NoteState>();
        await storage.ReadStateAsync(StateName, grain, read);
        Assert.Equal(text, read.State.Text);
    }

    [Fact]
    public async Task A_state_exactly_at_the_entity_limit_is_stored_and_reads_back_whole()
    {
        var storage = await TestStorage.CreateAsync(azurite.Server);
        var grain = TestStorage.NewGrainId();
        var max = MaxPayload(grain);
        var text = TextOfPayload(max);

        var state = new TestGrainState<NoteState>(new NoteState { Text = text });
        await storage.WriteStateAsync(StateName, grain, state);

        Assert.InRange(max, 1_040_000, TableRowFormat.MaxEntityBytes);
        var read = new TestGrainState<NoteState>();
        await storage.ReadStateAsync(StateName, grain, read);
        Assert.Equal(text, read.State.Text);
    }

    [Fact]
    public async Task A_state_one_byte_past_the_limit_throws_a_typed_exception_and_leaves_storage_as_it_was()
    {
        var storage = await TestStorage.CreateAsync(azurite.Server);
        var grain = TestStorage.NewGrainId();
        var state = new TestGrainState<NoteState>(new NoteState { Text = "before" });
        await storage.WriteStateAsync(StateName, grain, state);
        var etag = state.ETag;
        var max = MaxPayload(grain);

        state.State.Text = TextOfPayload(max + 1);
        var ex = await Assert.ThrowsAsync<StorageLimitExceededException>(() => storage.WriteStateAsync(StateName, grain, state));

        Assert.Equal(TableRowFormat.MaxEntityBytes, ex.Maximum);
        Assert.True(ex.Actual > ex.Maximum);
        Assert.Contains("Nothing was written", ex.Message, StringComparison.Ordinal);
        Assert.Equal(etag, state.ETag);
        var read = new TestGrainState<NoteState>();
        await storage.ReadStateAsync(StateName, grain, read);
        Assert.Equal("before", read.State.Text);
    }

    [Fact]
    public void The_row_size_follows_azures_formula_and_no_chunk_passes_64_KiB()
    {
        var payload = new byte[(3 * TableRowFormat.MaxBinaryPropertyBytes) + 10];
        var entity = TableRowFormat.Build("pk", "s|x", payload, Guid.NewGuid());

        Assert.Equal(4, entity.GetInt32(TableRowFormat.ChunksProperty));
        Assert.Equal(TableRowFormat.MaxBinaryPropertyBytes, entity.GetBinary("Data0")!.Length);
        Assert.Equal(10, entity.GetBinary("Data3")!.Length);

        // 4 + keys (5 chars) + Timestamp + WriteId + DataLength + DataChunks + four chunks with their names.
        var expected = 4 + (2 * 5) + (8 + 18 + 8) + (8 + 14 + 16) + (8 + 20 + 8) + (8 + 20 + 4) + (4 * (8 + 10 + 4)) + payload.Length;
        Assert.Equal(expected, TableRowFormat.EntityBytes("pk", "s|x", payload.Length));
    }

    private static int MaxPayload(GrainId grain) =>
        TableRowFormat.MaxPayloadBytes(TableKeys.PartitionKey(TestStorage.ServiceId, grain), TableKeys.StateRowKey(StateName));

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

    private static async Task<TableEntity> RawRowAsync(HuddleTableStorageOptions options, GrainId grain)
    {
        var client = new TableClient(options.ConnectionString, options.TableName);
        var row = await client.GetEntityAsync<TableEntity>(
            TableKeys.PartitionKey(TestStorage.ServiceId, grain), TableKeys.StateRowKey(StateName), cancellationToken: TestContext.Current.CancellationToken);
        return row.Value;
    }
}
