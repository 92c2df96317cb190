using Huddle.Silo.Storage;
using Huddle.Storage.Tests.Infrastructure;
using Huddle.Grains.Common;

namespace Huddle.Storage.Tests;

/// <summary>Paged history beside a grain's state, the same for the memory and the Azure Table store.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class HistoryStoreTests(AzuriteFixture azurite)
{
    public static readonly TheoryData<string> Stores = ["memory", "azure"];

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task Pages_read_back_one_at_a_time_and_as_ranges_in_page_order(string kind)
    {
        var (history, _) = await CreateAsync(kind);
        var grain = ConfiguredStorage.NewGrainId();
        foreach (var page in new long[] { 3, 0, 11, 1, 2 })
        {
            await history.WritePageAsync(grain, "board", page, Entries(page), Ct);
        }

        var two = await history.ReadPageAsync<HistoryEntry[]>(grain, "board", 2, Ct);
        var missing = await history.ReadPageAsync<HistoryEntry[]>(grain, "board", 4, Ct);
        var all = await history.ReadPagesAsync<HistoryEntry[]>(grain, "board", cancellationToken: Ct).ToListAsync(Ct);
        var range = await history.ReadPagesAsync<HistoryEntry[]>(grain, "board", 1, 3, Ct).ToListAsync(Ct);

        Assert.Equal(Entries(2), two!.Content);
        Assert.Null(missing);
        Assert.Equal([0L, 1, 2, 3, 11], all.Select(p => p.Number));
        Assert.Equal([1L, 2, 3], range.Select(p => p.Number));
        Assert.All(all, p => Assert.Equal(Entries(p.Number), p.Content));
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task Streams_and_grains_keep_their_own_pages(string kind)
    {
        var (history, _) = await CreateAsync(kind);
        var grain = ConfiguredStorage.NewGrainId();
        var other = ConfiguredStorage.NewGrainId();

        await history.WritePageAsync(grain, "board", 0, Entries(0), Ct);
        await history.WritePageAsync(grain, "chat", 0, Entries(100), Ct);
        await history.WritePageAsync(other, "board", 0, Entries(200), Ct);

        Assert.Equal(Entries(0), (await history.ReadPageAsync<HistoryEntry[]>(grain, "board", 0, Ct))!.Content);
        Assert.Equal(Entries(100), (await history.ReadPageAsync<HistoryEntry[]>(grain, "chat", 0, Ct))!.Content);
        Assert.Single(await history.ReadPagesAsync<HistoryEntry[]>(other, "board", cancellationToken: Ct).ToListAsync(Ct));
    }

    [Fact]
    public async Task Grain_ids_that_the_state_provider_would_fold_together_keep_their_own_pages()
    {
        var (history, _) = await CreateAsync("azure");
        var stem = Guid.NewGuid().ToString("N");

        await history.WritePageAsync(ConfiguredStorage.NewGrainId(stem + "/x"), "board", 0, Entries(1), Ct);
        await history.WritePageAsync(ConfiguredStorage.NewGrainId(stem + "_x"), "board", 0, Entries(2), Ct);

        Assert.Equal(Entries(1), (await history.ReadPageAsync<HistoryEntry[]>(ConfiguredStorage.NewGrainId(stem + "/x"), "board", 0, Ct))!.Content);
        Assert.Equal(Entries(2), (await history.ReadPageAsync<HistoryEntry[]>(ConfiguredStorage.NewGrainId(stem + "_x"), "board", 0, Ct))!.Content);
    }

    [Fact]
    public async Task A_history_table_deleted_under_a_running_silo_is_created_again()
    {
        var (history, configured) = await CreateAsync("azure");
        var grain = ConfiguredStorage.NewGrainId();
        await history.WritePageAsync(grain, "board", 0, Entries(0), Ct);

        await new Azure.Data.Tables.TableClient(azurite.Server.ConnectionString, configured!.Settings["Huddle:Storage:AzureTable:HistoryTableName"]).DeleteAsync(Ct);
        await history.WritePageAsync(grain, "board", 1, Entries(1), Ct);

        Assert.Equal(Entries(1), (await history.ReadPageAsync<HistoryEntry[]>(grain, "board", 1, Ct))!.Content);
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task Rewriting_a_page_replaces_it_and_old_pages_can_be_deleted(string kind)
    {
        var (history, _) = await CreateAsync(kind);
        var grain = ConfiguredStorage.NewGrainId();
        for (var page = 0; page < 5; page++)
        {
            await history.WritePageAsync(grain, "board", page, Entries(page), Ct);
        }

        await history.WritePageAsync(grain, "board", 4, Entries(40), Ct);
        var deleted = await history.DeletePagesAsync(grain, "board", beforePage: 2, Ct);
        var left = await history.ReadPagesAsync<HistoryEntry[]>(grain, "board", cancellationToken: Ct).ToListAsync(Ct);

        Assert.Equal(2, deleted);
        Assert.Equal([2L, 3, 4], left.Select(p => p.Number));
        Assert.Equal(Entries(40), left[^1].Content);
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task Appending_moves_full_pages_out_of_the_tail_so_state_stays_small(string kind)
    {
        var (history, _) = await CreateAsync(kind);
        var grain = ConfiguredStorage.NewGrainId();
        var tail = HistoryTail<HistoryEntry>.Empty;

        for (var seq = 1; seq <= 7; seq++)
        {
            tail = await history.AppendAsync(grain, "board", tail, new HistoryEntry(seq, $"change {seq}"), pageSize: 3, Ct);
        }

        var pages = await history.ReadEntryPagesAsync<HistoryEntry>(grain, "board", cancellationToken: Ct).ToListAsync(Ct);
        Assert.Equal(2, tail.NextPage);
        Assert.Single(tail.Entries);
        Assert.Equal([0L, 1], pages.Select(p => p.Number));
        Assert.Equal(Enumerable.Range(1, 7).Select(i => (long)i), pages.SelectMany(p => p.Content).Concat(tail.Entries).Select(e => e.Seq));
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task A_page_too_large_for_one_row_fails_with_a_typed_exception(string kind)
    {
        var (history, _) = await CreateAsync(kind);
        // Distinct strings: a serializer may store one shared string once.
        var big = Enumerable.Range(0, 40_000).Select(i => new HistoryEntry(i, $"entry {i} with some words in it — ü")).ToArray();

        await Assert.ThrowsAsync<StorageLimitExceededException>(() => history.WritePageAsync(ConfiguredStorage.NewGrainId(), "board", 0, big, Ct));
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static HistoryEntry[] Entries(long page) =>
        [new HistoryEntry(page * 10, $"page {page} first"), new HistoryEntry((page * 10) + 1, $"page {page} second — é")];

    private async Task<(IGrainHistoryStore History, ConfiguredStorage? Storage)> CreateAsync(string kind)
    {
        if (kind == "memory")
        {
            return (new MemoryGrainHistoryStore(OrleansServices.Serializer), null);
        }

        var configured = await ConfiguredStorage.StartAsync(azurite.Server);
        return (configured.History, configured);
    }
}
